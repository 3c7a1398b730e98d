//! The encoding of every server function's response: JSON, read back in the
//! browser with `serde_json::from_str`.
//!
//! Leptos reads the resources a page hydrates from with `from_str`, while
//! server_fn's own `Json` reads responses with `from_slice`. serde_json's
//! deserializers are generic over their reader, so a type arriving both ways
//! (the home page's data, a movie, a browse page, …) had two full copies of
//! its deserializer in the WASM. Reading responses as text too leaves one.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{DeserializeOwned, Error as _};
use serde::Serialize;

/// JSON, decoded from UTF-8 text.
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A `POST` answered in [`JsonText`]: the output of every server function here.
pub type Json = Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_and_bad_bytes_are_an_error() {
        let v = vec![("a".to_owned(), 1.5_f64)];
        let bytes = <JsonText as Encodes<_>>::encode(&v).unwrap();
        let back: Vec<(String, f64)> = <JsonText as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, v);
        let bad: Result<Vec<String>, _> = <JsonText as Decodes<_>>::decode(Bytes::from_static(b"[\"\xff\"]"));
        assert!(bad.is_err());
    }
}
