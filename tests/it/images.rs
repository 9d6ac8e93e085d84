//! Post images (README, "Images"): fetched from a server on 127.0.0.1
//! (wiremock) in every format circles shows, with the size caps that
//! refuse a decompression bomb or an endless answer, and kept in a
//! bounded cache.

use circles::media::{self, MediaCache};
use image::{DynamicImage, ImageFormat, RgbImage};
use std::io::Cursor;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A small picture in `format`.
pub fn picture(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 7) as u8, 120])
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A PNG whose header says 50,000 × 50,000 pixels (with a valid checksum)
/// and whose data is a few bytes: a decompression bomb.
pub fn bomb() -> Vec<u8> {
    let mut bytes = picture(ImageFormat::Png);
    bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = bytes[12..29].iter().fold(!0u32, |mut crc, &b| {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
        crc
    });
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

async fn serve(server: &MockServer, at: &str, body: Vec<u8>, kind: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, kind))
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_format_is_fetched_and_decoded_and_bombs_are_refused() {
    let server = MockServer::start().await;
    for (at, format, kind) in [
        ("/a.png", ImageFormat::Png, "image/png"),
        ("/a.jpg", ImageFormat::Jpeg, "image/jpeg"),
        ("/a.gif", ImageFormat::Gif, "image/gif"),
        ("/a.webp", ImageFormat::WebP, "image/webp"),
    ] {
        serve(&server, at, picture(format), kind).await;
    }
    serve(&server, "/bomb.png", bomb(), "image/png").await;
    serve(
        &server,
        "/page.png",
        b"<html>gone</html>".to_vec(),
        "text/html",
    )
    .await;
    serve(
        &server,
        "/huge.png",
        vec![0; media::MAX_IMAGE_BYTES + 1],
        "image/png",
    )
    .await;
    let client = circles::net::http::client();
    let get = |at: &str| {
        let url = format!("{}{at}", server.uri());
        let client = client.clone();
        async move { circles::net::media::fetch(&client, &url, media::MAX_IMAGE_BYTES).await }
    };

    for at in ["/a.png", "/a.jpg", "/a.gif", "/a.webp"] {
        let bytes = get(at).await.unwrap();
        let image = media::decode(&bytes).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert_eq!((image.width(), image.height()), (48, 32), "{at}");
    }
    let why = media::decode(&get("/bomb.png").await.unwrap()).unwrap_err();
    assert!(
        why.contains("too large to show (50000 × 50000 pixels"),
        "{why}"
    );
    let why = media::decode(&get("/page.png").await.unwrap()).unwrap_err();
    assert!(why.contains("not an image"), "{why}");
    let why = get("/huge.png").await.unwrap_err().to_string();
    assert!(why.contains("larger than 16 MB"), "{why}");
    let why = get("/missing.png").await.unwrap_err().to_string();
    assert!(why.contains("404"), "{why}");
}

#[test]
fn the_media_cache_holds_its_bound_and_names_files_by_format() {
    let dir = tempfile::tempdir().unwrap();
    let png = picture(ImageFormat::Png);
    let limit = png.len() as u64 * 3;
    let cache = MediaCache::new(dir.path().join("media"), limit);
    for i in 0..10 {
        cache
            .put(&format!("https://media.example/{i}.png"), &png)
            .unwrap();
        assert!(cache.size() <= limit, "after {i}: {}", cache.size());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let newest = cache.file_of("https://media.example/9.png").expect("kept");
    assert_eq!(
        newest.extension().unwrap(),
        "png",
        "a viewer can tell its format"
    );
    assert_eq!(cache.get("https://media.example/9.png"), Some(png));
    assert!(cache.get("https://media.example/0.png").is_none());
}
