//! Real poster images: a 300x450 JPEG per film, a gradient in the film's own hue
//! with a few bands, so thumbnails of different films differ.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

fn hue(id: &str) -> f32 {
    let mut h: u32 = 2166136261;
    for b in id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    (h % 360) as f32
}

fn hsl(h: f32, s: f32, l: f32) -> Rgb<u8> {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match h as u32 / 60 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let to = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb([to(r), to(g), to(b)])
}

/// The poster of `id` as JPEG bytes.
pub(crate) fn poster(id: &str) -> Vec<u8> {
    let h = hue(id);
    let img = RgbImage::from_fn(300, 450, |x, y| {
        let t = y as f32 / 450.0;
        let band = ((x / 30 + y / 45) % 2) as f32 * 0.06;
        hsl((h + 40.0 * t) % 360.0, 0.55, (0.45 - 0.3 * t + band).clamp(0.05, 0.9))
    });
    let mut out = Vec::new();
    // Encoding a fixed-size RGB image into a Vec cannot fail.
    let _ = JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img);
    out
}
