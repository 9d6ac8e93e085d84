//! Post images on disk and in memory (README, "Images"): a bounded cache
//! of downloaded files in `$XDG_CACHE_HOME/circles/media`, and decoding
//! with limits, so a decompression bomb is refused instead of filling
//! memory.
//!
//! Plain blocking code, run off the event loop by its caller (the TUI's
//! image worker, `cli/tui/images.rs`). May touch: files; the `image`
//! crate. Knows nothing of the terminal or the network.

use image::DynamicImage;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The most bytes one image may take to download and to keep.
pub const MAX_IMAGE_BYTES: usize = 16 << 20;
/// The most pixels a decoded image may have (a 40-megapixel photo is
/// fine; a bomb claiming 100,000 × 100,000 is not).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The cache's bound unless `[ui] media_cache_mb` says otherwise.
pub const DEFAULT_CACHE_BYTES: u64 = 200 << 20;

/// The extensions cached files have, by format (`img`: unknown).
const EXTENSIONS: &[&str] = &["png", "jpg", "gif", "webp", "img"];

/// Downloaded image files, one per URL, the oldest removed first once
/// the directory holds more than its bound.
#[derive(Debug, Clone)]
pub struct MediaCache {
    dir: PathBuf,
    limit: u64,
}

impl MediaCache {
    pub fn new(dir: PathBuf, limit: u64) -> Self {
        MediaCache { dir, limit }
    }

    /// `$XDG_CACHE_HOME/circles/media`.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "circles").map(|d| d.cache_dir().join("media"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name a URL is kept under, without its extension (a hash
    /// of the URL, so no part of a URL becomes a path).
    fn stem_of(url: &str) -> String {
        let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }

    /// The file `url` is kept in, if it is: its extension says its format,
    /// so a system viewer opens it.
    pub fn file_of(&self, url: &str) -> Option<PathBuf> {
        let stem = Self::stem_of(url);
        EXTENSIONS
            .iter()
            .map(|ext| self.dir.join(format!("{stem}.{ext}")))
            .find(|path| path.is_file())
    }

    /// The bytes kept for `url`, if any (and marks them used, so they go
    /// last).
    pub fn get(&self, url: &str) -> Option<Vec<u8>> {
        let path = self.file_of(url)?;
        let bytes = fs::read(&path).ok()?;
        // A touch: the eviction goes by modification time.
        let _ = fs::File::options()
            .append(true)
            .open(&path)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Some(bytes)
    }

    /// Keeps `bytes` for `url` (written whole or not at all), then brings
    /// the directory back under its bound.
    pub fn put(&self, url: &str, bytes: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let ext = match image::guess_format(bytes) {
            Ok(image::ImageFormat::Png) => "png",
            Ok(image::ImageFormat::Jpeg) => "jpg",
            Ok(image::ImageFormat::Gif) => "gif",
            Ok(image::ImageFormat::WebP) => "webp",
            _ => "img",
        };
        let path = self.dir.join(format!("{}.{ext}", Self::stem_of(url)));
        // A name of its own for each write: two fetches of one image may
        // finish together, and neither may read the other's half.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, &path)?;
        self.evict()
    }

    /// Removes the oldest files until the directory holds at most the
    /// bound.
    pub fn evict(&self) -> io::Result<()> {
        let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = fs::read_dir(&self.dir)?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(fs::Metadata::is_file)?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.limit {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
        Ok(())
    }

    /// The bytes the directory holds now.
    pub fn size(&self) -> u64 {
        fs::read_dir(&self.dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        })
    }
}

/// Decodes an image (PNG, JPEG, GIF's first frame, WebP), refusing one
/// over [`MAX_PIXELS`] or whose decoding would take more memory than such
/// an image needs, with why in words.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    use image::ImageDecoder as _;
    let unreadable = |e: image::ImageError| format!("cannot read the image: {e}");
    let mut reader = image::ImageReader::new(io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    if reader.format().is_none() {
        return Err("not an image circles can show (PNG, JPEG, GIF or WebP)".into());
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    // The header is read once: its size is checked before any pixel is.
    let decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "too large to show ({width} × {height} pixels; at most {} megapixels)",
            MAX_PIXELS / 1_000_000
        ));
    }
    DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => "too large to show".to_string(),
        e => format!("cannot decode the image: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(image)
            .write_to(&mut io::Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    /// (Bombs: tests/it/images.rs, against a server.)
    #[test]
    fn images_decode_and_junk_is_refused() {
        let image = decode(&png(30, 20)).unwrap();
        assert_eq!((image.width(), image.height()), (30, 20));
        let why = decode(b"<html>not found</html>").unwrap_err();
        assert!(why.contains("not an image"), "{why}");
    }

    #[test]
    fn the_cache_keeps_its_bound_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MediaCache::new(dir.path().join("media"), 2500);
        for i in 0..5 {
            cache
                .put(&format!("https://x.example/{i}"), &[i as u8; 1000])
                .unwrap();
            // Distinct modification times, oldest first.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        assert!(cache.size() <= 2500, "{}", cache.size());
        assert_eq!(cache.get("https://x.example/4"), Some(vec![4; 1000]));
        assert_eq!(cache.get("https://x.example/3"), Some(vec![3; 1000]));
        assert_eq!(
            cache.get("https://x.example/0"),
            None,
            "the oldest went first"
        );
    }
}
