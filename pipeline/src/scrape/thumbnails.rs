//! The `thumbnails` source: each scraped movie's poster is downloaded, kept
//! as a raw file, and turned into a ~300 px JPEG thumbnail and a 16 px blur
//! placeholder, both content-addressed under `media/thumbnails/` (so they
//! can be cached forever: a new image is a new name).

use std::io::Cursor;

use base64::Engine;
use catalog::db::{ItemStatus, ScrapeItem};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::DynamicImage;

use super::records::{
    latest_by_id, to_json_lines, FetchMeta, RawMovie, RawThumbnail, MEDIA_PREFIX, MOVIES_PREFIX, POSTERS_PREFIX,
    THUMBNAILS_PREFIX,
};
use super::{
    date_partition, now_unix, storing_failed, validators_for, FetchErrorOrReason, Outcome, ScrapeContext, SourceReport,
};
use crate::fetch::FetchError;
use crate::sources::content_digest;
use crate::Result;

pub const ASSET: &str = "thumbnails";
/// Width of the blur placeholder.
pub const PLACEHOLDER_WIDTH: u32 = 16;
/// Largest poster decoded (pixels per side): a guard against decompression bombs.
const MAX_SIDE: u32 = 8000;

/// A thumbnail and its placeholder, made from poster bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbs {
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub placeholder: Vec<u8>,
}

/// Decodes `poster` and makes the thumbnail (`width` px wide, never upscaled)
/// and the placeholder. Pure: bytes in, bytes out.
pub fn make_thumbnails(poster: &[u8], width: u32) -> std::result::Result<Thumbs, String> {
    let img = decode(poster)?;
    let thumb = resize_to_width(&img, width.min(img.width()));
    let small = resize_to_width(&img, PLACEHOLDER_WIDTH.min(img.width()));
    let small = image::imageops::blur(&small.to_rgb8(), 0.8);
    Ok(Thumbs {
        width: thumb.width(),
        height: thumb.height(),
        thumb: jpeg(&thumb, 80)?,
        placeholder: jpeg(&DynamicImage::ImageRgb8(small), 50)?,
    })
}

/// A narrower copy of a thumbnail (`width` px wide, never upscaled), for a
/// `srcset`. Pure: bytes in, bytes out.
pub fn make_variant(thumb: &[u8], width: u32) -> std::result::Result<Vec<u8>, String> {
    let img = decode(thumb)?;
    jpeg(&resize_to_width(&img, width.min(img.width())), 80)
}

/// Decodes an image, refusing unknown formats and sizes past [`MAX_SIDE`]
/// before it allocates their pixels.
fn decode(bytes: &[u8]) -> std::result::Result<DynamicImage, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("not an image (unknown format)".into());
    }
    let (w, h) = reader.into_dimensions().map_err(|e| format!("not an image: {e}"))?;
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!("image of {w}x{h} pixels refused"));
    }
    image::load_from_memory(bytes).map_err(|e| format!("not an image: {e}"))
}

fn resize_to_width(img: &DynamicImage, width: u32) -> DynamicImage {
    let width = width.max(1);
    let height = ((u64::from(img.height()) * u64::from(width)) / u64::from(img.width().max(1))).max(1) as u32;
    img.resize_exact(width, height, FilterType::Triangle)
}

fn jpeg(img: &DynamicImage, quality: u8) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(&rgb).map_err(|e| e.to_string())?;
    Ok(out)
}

/// `data:image/jpeg;base64,…`
pub fn data_uri(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// The `thumbnails` asset: for each scraped movie (of `ctx.partition`) with a
/// poster URL, fetch the poster and store the thumbnail and placeholder.
pub async fn scrape_thumbnails(ctx: &ScrapeContext<'_>) -> Result<SourceReport> {
    let movies: std::collections::HashMap<String, RawMovie> =
        latest_by_id(ctx.store, MOVIES_PREFIX, ctx.partition.as_deref(), |m: &RawMovie| {
            (m.id.clone(), m.fetch.fetched_at_ms)
        })
        .await?;
    let mut work: Vec<(String, String)> =
        movies.into_values().filter_map(|m| Some((m.id, m.record.poster_url?))).collect();
    work.sort();
    work.truncate(ctx.movie_limit());
    let ledger = ctx.catalog.scrape_items(ASSET).await?;
    let date = date_partition();
    Ok(ctx
        .run_items(
            ASSET,
            work,
            |(id, _)| id.clone(),
            |(id, poster_url)| {
                let prev = ledger.get(&id).cloned();
                let date = date.clone();
                async move { thumbnail(ctx, id, poster_url, prev, &date).await }
            },
        )
        .await)
}

async fn thumbnail(
    ctx: &ScrapeContext<'_>,
    id: String,
    poster_url: String,
    prev: Option<ScrapeItem>,
    date: &str,
) -> Outcome {
    // The ledger's cursor holds the poster URL the thumbnail was made from: a new URL is a new poster.
    let same_poster = prev.as_ref().is_some_and(|p| p.cursor.as_deref() == Some(poster_url.as_str()));
    if same_poster && prev.as_ref().is_some_and(|p| p.status == ItemStatus::Done) && !ctx.refreshes(prev.as_ref()) {
        return Outcome::Skipped;
    }
    let validators = if same_poster { validators_for(prev.as_ref(), ctx.refreshes(prev.as_ref())) } else { None };
    let mut item = prev.unwrap_or_else(|| ScrapeItem::new(ASSET, &id));
    let url = match ctx.config.base_url.join(&poster_url) {
        Ok(u) => u,
        Err(e) => {
            return ctx
                .record_failure(item, &FetchErrorOrReason::Reason(format!("bad poster URL {poster_url}: {e}")))
                .await
        }
    };
    let fetched = match ctx.fetcher.get(&url, validators.as_ref(), &ctx.cancel).await {
        Ok(f) => f,
        Err(FetchError::Cancelled { .. }) => return Outcome::Cancelled,
        Err(e) => return ctx.record_failure(item, &FetchErrorOrReason::Fetch(e)).await,
    };
    if fetched.not_modified {
        item.attempts += 1;
        item.fetched_at = Some(now_unix());
        item.error = None;
        return match ctx.catalog.save_scrape_item(&item).await {
            Ok(()) => Outcome::NotModified,
            Err(e) => Outcome::Failed(format!("recording the item: {e}")),
        };
    }
    let width = ctx.config.thumbnail_width;
    let body = fetched.body.clone();
    let made = tokio::task::spawn_blocking(move || make_thumbnails(&body, width)).await;
    let thumbs = match made {
        Ok(Ok(t)) => t,
        Ok(Err(reason)) => {
            return ctx.record_failure(item, &FetchErrorOrReason::Reason(format!("{url}: {reason}"))).await;
        }
        Err(e) => return Outcome::Failed(format!("thumbnail task: {e}")),
    };
    let ext = match image::guess_format(&fetched.body) {
        Ok(image::ImageFormat::Png) => "png",
        _ => "jpg",
    };
    let poster_key = format!("{POSTERS_PREFIX}/{date}/{}.{ext}", content_digest(&fetched.body));
    let thumb_name = format!("{}.jpg", content_digest(&thumbs.thumb));
    let blur_name = format!("{}-blur.jpg", content_digest(&thumbs.placeholder));
    let mut bytes = 0u64;
    for (key, data) in [
        (poster_key.clone(), fetched.body.to_vec()),
        (format!("{MEDIA_PREFIX}/{thumb_name}"), thumbs.thumb.clone()),
        (format!("{MEDIA_PREFIX}/{blur_name}"), thumbs.placeholder.clone()),
    ] {
        // Content-addressed: an object already there is this very content.
        match ctx.store.exists(&key).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => return Outcome::Failed(format!("checking {key}: {e}")),
        }
        bytes += data.len() as u64;
        if let Err(e) = ctx.store.put(&key, data).await {
            return storing_failed(&key, e);
        }
    }
    let raw = RawThumbnail {
        id: id.clone(),
        poster_url: poster_url.clone(),
        fetch: FetchMeta::of(&fetched),
        poster_key,
        poster_bytes: fetched.body.len() as u64,
        thumb_key: thumb_name,
        thumb_width: thumbs.width,
        thumb_height: thumbs.height,
        thumb_bytes: thumbs.thumb.len() as u64,
        placeholder_key: blur_name,
        placeholder: data_uri(&thumbs.placeholder),
    };
    let line = to_json_lines(&[raw]);
    bytes += line.len() as u64;
    let key = format!("{THUMBNAILS_PREFIX}/{date}/{id}.jsonl");
    if let Err(e) = ctx.store.put(&key, line).await {
        return storing_failed(&key, e);
    }
    item.status = ItemStatus::Done;
    item.object_key = Some(key);
    item.cursor = Some(poster_url);
    item.etag = fetched.validators.etag;
    item.last_modified = fetched.validators.last_modified;
    item.fetched_at = Some(now_unix());
    item.attempts += 1;
    item.error = None;
    match ctx.catalog.save_scrape_item(&item).await {
        Ok(()) => Outcome::Fetched { rows: 1, bytes, warning: None },
        Err(e) => Outcome::Failed(format!("recording the item: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poster(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
        out
    }

    #[test]
    fn thumbnails_keep_the_aspect_ratio() {
        let t = make_thumbnails(&poster(600, 900), 300).unwrap();
        assert_eq!((t.width, t.height), (300, 450));
        let img = image::load_from_memory(&t.thumb).unwrap();
        assert_eq!((img.width(), img.height()), (300, 450));
        let p = image::load_from_memory(&t.placeholder).unwrap();
        assert_eq!((p.width(), p.height()), (16, 24));
        assert!(t.placeholder.len() < 1500, "the placeholder is tiny: {}", t.placeholder.len());
        assert!(data_uri(&t.placeholder).starts_with("data:image/jpeg;base64,/9j/"));
    }

    #[test]
    fn small_posters_are_not_upscaled() {
        let t = make_thumbnails(&poster(120, 180), 300).unwrap();
        assert_eq!((t.width, t.height), (120, 180));
    }

    #[test]
    fn non_images_are_refused_with_a_reason() {
        assert!(make_thumbnails(b"<html>not an image</html>", 300).unwrap_err().contains("not an image"));
        assert!(make_thumbnails(b"", 300).is_err());
        let mut truncated = poster(300, 450);
        truncated.truncate(200);
        assert!(make_thumbnails(&truncated, 300).is_err());
    }

    #[test]
    fn variants_are_narrower_copies_never_upscaled() {
        let t = make_thumbnails(&poster(600, 900), 480).unwrap();
        let v = image::load_from_memory(&make_variant(&t.thumb, 160).unwrap()).unwrap();
        assert_eq!((v.width(), v.height()), (160, 240));
        let same = image::load_from_memory(&make_variant(&t.thumb, 960).unwrap()).unwrap();
        assert_eq!((same.width(), same.height()), (480, 720));
        assert!(make_variant(b"GIF89a garbage", 160).is_err());
    }
}
