//! The cache: the timeline and its reading state in SQLite, kept across
//! restarts (ARCHITECTURE.md, "Layers").
//!
//! One database file (in the XDG data dir; the caller picks the path) holds
//! the recent posts of every source, which of them were seen, each column's
//! read position and each source's cursor (Mastodon `since_id`, Bluesky
//! cursor, feed ETag / Last-Modified, jsonl offset), so a restart shows the
//! screen as it was before any network answer.
//!
//! - WAL mode with a busy timeout: a second instance on the same file waits
//!   briefly for the other's (short, batched) write and then works
//!   read-write; if it still cannot, the error says why.
//! - A file that is not a database or fails `PRAGMA quick_check` is moved
//!   aside (kept, never deleted) with a note, and a fresh one is started.
//! - Bounded: [`Db::prune`] keeps the newest N posts per source and gives
//!   freed pages back (incremental auto-vacuum); the WAL is size-limited.
//! - [`Writer`] batches writes on its own thread, off the UI path.
//!
//! What goes in and comes out is plain data of the store
//! ([`Write`], [`Snapshot`]). Never store secrets here: posts, positions and
//! cursors only.
//!
//! The people ledger lives here too (`ledger.rs`).
//!
//! No terminal, no async. May touch: `model`, `store`, `people`.

mod ledger;
mod writer;

pub use ledger::KEEP_DAYS;
pub use writer::Writer;

use crate::model::Post;
use crate::store::{Snapshot, Write, post_key};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the cache could not do what it was asked, in words a person can act
/// on. Shown after the file's name: `cache ~/.local/share/circles/circles.db: …`.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{}", advice(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create its folder {}: {source}", .dir.display())]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("it is unreadable and could not be moved aside: {0}")]
    MoveAside(std::io::Error),
    #[error(
        "it was written by a newer circles (schema {0}, this one knows {SCHEMA_VERSION}); not touching it"
    )]
    NewerSchema(i64),
}

/// What a SQLite error means for the user of the cache file.
fn advice(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "it is busy: another circles kept it locked for over {} s ({e})",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => {
            format!("it is read-only here; check its permissions and those of its folder ({e})")
        }
        Some(ErrorCode::DiskFull) => format!("the disk is full ({e})"),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            format!("cannot open it: check its permissions and those of its folder ({e})")
        }
        Some(ErrorCode::NotADatabase) => {
            format!("it is not a circles cache; move it away and circles starts a fresh one ({e})")
        }
        _ => e.to_string(),
    }
}

/// The schema this code writes; bump it (and migrate) when it changes.
pub const SCHEMA_VERSION: i64 = 1;

/// Posts kept per source unless the config says otherwise.
pub const DEFAULT_PER_SOURCE: usize = 5_000;

/// How long a write waits for another instance's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The WAL file is cut back to this size after each checkpoint.
const WAL_LIMIT_BYTES: i64 = 8 * 1024 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS posts(
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS posts_source_created ON posts(source, created_at);
CREATE TABLE IF NOT EXISTS positions(
    \"column\" TEXT PRIMARY KEY,
    key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors(
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY(source, key)
);
";

const UPSERT_POST: &str = "INSERT INTO posts(key, source, created_at, seen, json)
     VALUES (?1, ?2, ?3, 0, ?4)
     ON CONFLICT(key) DO UPDATE SET
         source = excluded.source,
         created_at = excluded.created_at,
         json = excluded.json";
const MARK_SEEN: &str = "UPDATE posts SET seen = 1 WHERE key = ?1 AND seen = 0";
const DELETE_POST: &str = "DELETE FROM posts WHERE key = ?1";
const SET_POSITION: &str = "INSERT INTO positions(\"column\", key) VALUES (?1, ?2)
     ON CONFLICT(\"column\") DO UPDATE SET key = excluded.key";
const SET_CURSOR: &str = "INSERT INTO cursors(source, key, value) VALUES (?1, ?2, ?3)
     ON CONFLICT(source, key) DO UPDATE SET value = excluded.value";

/// An open cache database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// Why a file could not be opened: damaged (move it aside) or not.
enum OpenError {
    Damaged(String),
    Other(CacheError),
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                OpenError::Damaged(e.to_string())
            }
            _ => OpenError::Other(CacheError::Sqlite(e)),
        }
    }
}

impl Db {
    /// Opens or creates `path` (WAL, busy timeout so a second instance
    /// waits briefly, then works read-write). A file that is not a database
    /// or fails `PRAGMA quick_check` is renamed to
    /// `<path>.corrupt-<timestamp>` (kept, with its `-wal`/`-shm` files) and
    /// a fresh database is created; the returned note says so, for the
    /// status bar.
    pub fn open(path: &Path) -> Result<(Db, Option<String>), CacheError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CacheError::Folder {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        match Db::try_open(path) {
            Ok(db) => Ok((db, None)),
            Err(OpenError::Other(e)) => Err(e),
            Err(OpenError::Damaged(why)) => {
                let why = one_line(&why);
                let aside = move_aside(path).map_err(CacheError::MoveAside)?;
                let db = Db::try_open(path).map_err(|e| match e {
                    OpenError::Other(e) => e,
                    OpenError::Damaged(why) => CacheError::Sqlite(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                        Some(why),
                    )),
                })?;
                let note = format!(
                    "cache {} was unreadable ({why}); kept it as {} and started a fresh one",
                    path.display(),
                    aside.display()
                );
                tracing::warn!("{note}");
                Ok((db, Some(note)))
            }
        }
    }

    fn try_open(path: &Path) -> Result<Db, OpenError> {
        create_private(path);
        let conn = Connection::open(path)?;
        let db = Db {
            conn,
            path: path.to_path_buf(),
        };
        db.conn.busy_timeout(BUSY_TIMEOUT)?;
        if let Some(problem) = db.check()? {
            return Err(OpenError::Damaged(problem));
        }
        db.setup()?;
        let version = db.schema_version()?;
        if version > SCHEMA_VERSION {
            return Err(OpenError::Other(CacheError::NewerSchema(version)));
        }
        Ok(db)
    }

    /// `None` when the file is sound, else what is wrong with it.
    fn check(&self) -> rusqlite::Result<Option<String>> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check(4)")?;
        let lines = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(match lines.as_slice() {
            [ok] if ok == "ok" => None,
            [] => Some("integrity check gave no answer".into()),
            lines => Some(lines.join("; ")),
        })
    }

    fn setup(&self) -> rusqlite::Result<()> {
        // Only takes effect on a new, empty file: freed pages can then be
        // given back to the file system by `prune`.
        self.conn
            .pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(
                "cache {}: journal mode is {mode}, not WAL; a second instance may wait on this one",
                self.path.display()
            );
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn
            .pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let ledger_schema = ledger::SCHEMA;
        self.conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;
             {SCHEMA}
             {ledger_schema}
             INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');"
        ))?;
        match ledger::migrate(&self.conn) {
            Ok(()) => self.conn.execute_batch("COMMIT"),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn schema_version(&self) -> rusqlite::Result<i64> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| v.trim().parse().ok()).unwrap_or(0))
    }

    /// The file this database lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything a restart needs; posts newest first.
    pub fn load(&self) -> Result<Snapshot, CacheError> {
        let mut snap = Snapshot::default();
        // Sorting here rather than in SQL spares SQLite's sorter copying
        // every stored post; parsing, the bulk of the work, is spread over
        // the cores.
        let mut rows: Vec<(i64, i64, bool, String)> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT created_at, rowid, seen, json FROM posts")?;
            let mut query = stmt.query([])?;
            while let Some(row) = query.next()? {
                rows.push((
                    row.get(0)?,
                    row.get(1)?,
                    row.get::<_, i64>(2)? != 0,
                    row.get(3)?,
                ));
            }
        }
        rows.sort_unstable_by_key(|&(created, rowid, _, _)| std::cmp::Reverse((created, rowid)));
        let parsed = parse_posts(&rows);
        snap.posts.reserve(parsed.len());
        for (post, (_, _, seen, _)) in parsed.into_iter().zip(&rows) {
            match post {
                Some(post) => snap.posts.push((post, *seen)),
                None => snap.skipped += 1,
            }
        }
        drop(rows);
        let mut stmt = self.conn.prepare("SELECT \"column\", key FROM positions")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (column, key) = row?;
            snap.positions.insert(column, key);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT source, key, value FROM cursors")?;
        for row in stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))? {
            let (k, v) = row?;
            snap.cursors.insert(k, v);
        }
        let draft: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'draft'", [], |r| {
                r.get(0)
            })
            .optional()?;
        snap.draft = draft.and_then(|json| match serde_json::from_str(&json) {
            Ok(draft) => Some(draft),
            Err(e) => {
                tracing::warn!("the kept draft could not be read back: {e}");
                None
            }
        });
        if snap.skipped > 0 {
            tracing::warn!(
                "cache {}: {} stored posts could not be read back",
                self.path.display(),
                snap.skipped
            );
        }
        Ok(snap)
    }

    /// Stores posts, replacing any with the same key (an edit); keeps their
    /// seen mark. One transaction.
    pub fn save_posts<P: std::borrow::Borrow<Post>>(
        &mut self,
        posts: &[P],
    ) -> Result<(), CacheError> {
        self.in_tx(|tx| upsert_posts(tx, posts))
    }

    /// Marks posts (by [`post_key`]) as seen.
    pub fn mark_seen(&mut self, keys: &[String]) -> Result<(), CacheError> {
        self.in_tx(|tx| mark_seen(tx, keys))
    }

    /// Keeps the post being written (`None`: it was sent or thrown away).
    pub fn set_draft(&mut self, draft: Option<Box<crate::model::Draft>>) -> Result<(), CacheError> {
        self.write(&[Write::Draft(draft)])
    }

    pub fn delete_post(&mut self, key: &str) -> Result<(), CacheError> {
        self.write(&[Write::Deleted(key.to_string())])
    }

    /// A column's read position: the key of the post it was on.
    pub fn set_position(&mut self, column: &str, key: &str) -> Result<(), CacheError> {
        self.write(&[Write::Position {
            column: column.to_string(),
            key: key.to_string(),
        }])
    }

    /// A source's resume point (`since_id`, `cursor`, `etag`, `offset`, …).
    /// Never a secret.
    pub fn set_cursor(&mut self, source: &str, key: &str, value: &str) -> Result<(), CacheError> {
        self.write(&[Write::Cursor {
            source: source.to_string(),
            key: key.to_string(),
            value: value.to_string(),
        }])
    }

    /// Keeps the newest `per_source` posts of each source (by `created_at`)
    /// and returns how many were removed; then gives free pages back to the
    /// file system once they are a good part of the file, so its size stays
    /// bounded.
    pub fn prune(&mut self, per_source: usize) -> Result<usize, CacheError> {
        let keep = i64::try_from(per_source).unwrap_or(i64::MAX);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sources = {
            let mut stmt = tx.prepare("SELECT DISTINCT source FROM posts")?;
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut removed = 0;
        {
            let mut stmt = tx.prepare(
                "DELETE FROM posts WHERE rowid IN (
                     SELECT rowid FROM posts WHERE source = ?1
                     ORDER BY created_at DESC, rowid DESC
                     LIMIT -1 OFFSET ?2)",
            )?;
            for source in &sources {
                removed += stmt.execute(params![source, keep])?;
            }
        }
        tx.commit()?;
        let free: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        if free > 0 && free * 4 >= pages {
            // Each step of this pragma frees one page: run it to the end.
            let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
        }
        Ok(removed)
    }

    /// Applies writes in order, in one transaction.
    fn write(&mut self, writes: &[Write]) -> Result<(), CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for w in writes {
            match w {
                Write::Posts(posts) => upsert_posts(&tx, posts)?,
                Write::Seen(keys) => mark_seen(&tx, keys)?,
                Write::Deleted(key) => {
                    tx.prepare_cached(DELETE_POST)?.execute([key])?;
                }
                Write::Position { column, key } => {
                    tx.prepare_cached(SET_POSITION)?.execute([column, key])?;
                }
                Write::Cursor { source, key, value } => {
                    tx.prepare_cached(SET_CURSOR)?
                        .execute([source, key, value])?;
                }
                Write::Draft(Some(draft)) => {
                    let json = serde_json::to_string(draft).unwrap_or_default();
                    tx.prepare_cached(
                        "INSERT INTO meta(key, value) VALUES ('draft', ?1)
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute([json])?;
                }
                Write::Draft(None) => {
                    tx.prepare_cached("DELETE FROM meta WHERE key = 'draft'")?
                        .execute([])?;
                }
                Write::Interactions { source, list } => {
                    ledger::insert_interactions(&tx, source, list)?;
                }
                Write::Withdrawn { source, list } => {
                    ledger::remove_interactions(&tx, source, list)?;
                }
                Write::FollowedAt { source, who, at } => {
                    ledger::followed_at(&tx, source, who, *at)?;
                }
                // Pruning runs after the batch commits (see `Writer`).
                Write::Prune(_) => {}
            }
        }
        Ok(tx.commit()?)
    }

    /// Runs `f` in one immediate transaction.
    fn in_tx<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = f(&tx)?;
        tx.commit()?;
        Ok(done)
    }
}

fn upsert_posts<P: std::borrow::Borrow<Post>>(
    tx: &rusqlite::Transaction<'_>,
    posts: &[P],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(UPSERT_POST)?;
    for post in posts {
        let post = post.borrow();
        let json = serde_json::to_string(post)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        stmt.execute(params![
            post_key(post),
            post.source,
            post.created_at.timestamp_millis(),
            json
        ])?;
    }
    Ok(())
}

fn mark_seen(tx: &rusqlite::Transaction<'_>, keys: &[String]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(MARK_SEEN)?;
    for key in keys {
        stmt.execute([key])?;
    }
    Ok(())
}

/// Parses stored posts in order, on up to 4 threads for a large cache;
/// `None` for a row that cannot be read back.
fn parse_posts(rows: &[(i64, i64, bool, String)]) -> Vec<Option<Post>> {
    let parse = |chunk: &[(i64, i64, bool, String)]| -> Vec<Option<Post>> {
        chunk
            .iter()
            .map(|(_, _, _, json)| serde_json::from_str(json).ok())
            .collect()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(4);
    if threads < 2 || rows.len() < 2_000 {
        return parse(rows);
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parse = &parse;
        let workers: Vec<_> = rows
            .chunks(chunk)
            .skip(1)
            .map(|part| scope.spawn(move || parse(part)))
            .collect();
        let mut all = parse(&rows[..chunk.min(rows.len())]);
        for worker in workers {
            match worker.join() {
                Ok(part) => all.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

/// A problem report fit for the one-line status bar.
fn one_line(text: &str) -> String {
    const MAX: usize = 160;
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("***"))
        .collect::<Vec<_>>()
        .join("; ");
    match joined.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

/// Creates a missing database file readable by its owner only (it holds
/// the user's timelines); SQLite gives its `-wal`/`-shm` files the same
/// permissions.
fn create_private(path: &Path) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // Already there, or SQLite reports the real problem when it opens it.
    let _ = options.open(path);
}

/// Renames a damaged database (and its `-wal` / `-shm` companions, which
/// would otherwise be replayed into the fresh one) to
/// `<path>.corrupt-<timestamp>`; returns the new name.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let with_suffix = |base: &Path, suffix: &str| {
        let mut s = base.as_os_str().to_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    let mut aside = with_suffix(path, &format!(".corrupt-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = with_suffix(path, &format!(".corrupt-{stamp}-{n}"));
    }
    std::fs::rename(path, &aside)?;
    for companion in ["-wal", "-shm"] {
        let from = with_suffix(path, companion);
        if from.exists() {
            let to = with_suffix(&aside, companion);
            if let Err(e) = std::fs::rename(&from, &to) {
                // A stale WAL must not be replayed into the fresh database.
                let _ = std::fs::remove_file(&from);
                tracing::warn!("could not keep {}: {e}", from.display());
            }
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Mention, Network, ReplyTo};
    use crate::testkit::post;
    use chrono::{TimeZone, Utc};
    use std::time::Instant;

    /// A post with every field set (some on some ids only), so a round
    /// trip checks them all.
    fn rich_post(source: &str, id: u32, secs: i64) -> Post {
        let mut p = post(&id.to_string(), "alice@example.org")
            .name("Alice")
            .network(Network::Mastodon)
            .source(source)
            .at(Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap())
            .text(&format!(
                "post {id} from {source} with some text to make it realistic"
            ))
            .url(&format!("https://example.org/@alice/{id}"))
            .mentions(&["@carol@example.net"])
            .hashtags(&["rust"])
            .link("https://rust-lang.org")
            .image("a cat")
            .language("en");
        if !id.is_multiple_of(3) {
            p = p.uri(&format!("https://example.org/{source}/{id}"));
        }
        if id.is_multiple_of(7) {
            p = p.cw("spoilers");
        }
        let mut p = p.build();
        p.visibility = Some("public".into());
        p.boosted_by = id.is_multiple_of(5).then(|| {
            Account::new("bob.bsky.social", "Bob", Network::Bluesky)
                .with_did("did:plc:bob")
                .into()
        });
        if id.is_multiple_of(10) {
            // a card of merged boosts: its boosters are kept too
            p.also_boosted_by = vec![Account::new("@eve@example.net", "Eve", Network::Mastodon)];
        }
        p.reply_to = id.is_multiple_of(2).then(|| ReplyTo {
            id: "1".into(),
            to: Some(Mention::new("dave.bsky.social", Some("did:plc:dave"))),
            root: None,
            text: None,
        });
        p
    }

    fn db_in(dir: &tempfile::TempDir) -> (Db, PathBuf) {
        let path = dir.path().join("data").join("circles.db");
        let (db, note) = Db::open(&path).unwrap();
        assert_eq!(note, None);
        (db, path)
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, path) = db_in(&dir);
        let posts: Vec<Post> = (0..30)
            .map(|i| rich_post(["a", "b"][i as usize % 2], i, i.into()))
            .collect();
        db.save_posts(&posts).unwrap();
        let seen = vec![post_key(&posts[3]), post_key(&posts[4])];
        db.mark_seen(&seen).unwrap();
        db.set_position("Friends", &post_key(&posts[7])).unwrap();
        db.set_position("Friends", &post_key(&posts[8])).unwrap();
        db.set_position("News", &post_key(&posts[9])).unwrap();
        db.set_cursor("home", "since_id", "111").unwrap();
        db.set_cursor("home", "since_id", "112").unwrap();
        db.set_cursor("blog", "etag", "\"abc\"").unwrap();
        let before = db.load().unwrap();
        drop(db);

        let (db, note) = Db::open(&path).unwrap();
        assert_eq!(note, None);
        let snap = db.load().unwrap();
        assert_eq!(snap, before);
        assert_eq!(snap.skipped, 0);
        let mut expect: Vec<(Post, bool)> = posts
            .iter()
            .map(|p| (p.clone(), seen.contains(&post_key(p))))
            .collect();
        expect.reverse();
        assert_eq!(snap.posts, expect);
        assert_eq!(snap.positions.len(), 2);
        assert_eq!(snap.positions["Friends"], post_key(&posts[8]));
        assert_eq!(snap.positions["News"], post_key(&posts[9]));
        assert_eq!(snap.cursors.len(), 2);
        assert_eq!(snap.cursors[&("home".into(), "since_id".into())], "112");
        assert_eq!(snap.cursors[&("blog".into(), "etag".into())], "\"abc\"");
    }

    #[test]
    fn key_matches_store() {
        let with_uri = rich_post("a", 1, 0);
        assert_eq!(post_key(&with_uri), "https://example.org/a/1");
        let without = rich_post("a", 3, 0);
        assert_eq!(post_key(&without), "a\u{0}3");
    }

    #[test]
    fn upsert_replaces_and_keeps_seen() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, _) = db_in(&dir);
        let original = rich_post("a", 1, 10);
        db.save_posts(std::slice::from_ref(&original)).unwrap();
        db.mark_seen(&[post_key(&original)]).unwrap();
        let mut edited = original.clone();
        edited.text = "edited text".into();
        db.save_posts(std::slice::from_ref(&edited)).unwrap();
        let snap = db.load().unwrap();
        assert_eq!(snap.posts, vec![(edited, true)]);
    }

    #[test]
    fn delete() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, _) = db_in(&dir);
        let posts = vec![
            rich_post("a", 1, 1),
            rich_post("a", 2, 2),
            rich_post("a", 3, 3),
        ];
        db.save_posts(&posts).unwrap();
        db.delete_post(&post_key(&posts[1])).unwrap();
        db.delete_post("no such key").unwrap();
        let snap = db.load().unwrap();
        let ids: Vec<&str> = snap.posts.iter().map(|(p, _)| p.id.as_str()).collect();
        assert_eq!(ids, ["3", "1"]);
    }

    #[test]
    fn prune_keeps_newest_per_source() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, _) = db_in(&dir);
        // Arrival order is not time order.
        let mut posts: Vec<Post> = (0..20)
            .map(|i| rich_post("a", i, i64::from((i * 7) % 20)))
            .collect();
        posts.extend((100..105).map(|i| rich_post("b", i, i64::from(i))));
        db.save_posts(&posts).unwrap();
        assert_eq!(db.prune(5).unwrap(), 15);
        assert_eq!(db.prune(5).unwrap(), 0);
        let snap = db.load().unwrap();
        let a: Vec<i64> = snap
            .posts
            .iter()
            .filter(|(p, _)| p.source == "a")
            .map(|(p, _)| p.created_at.timestamp() - 1_700_000_000)
            .collect();
        assert_eq!(a, [19, 18, 17, 16, 15]);
        assert_eq!(
            snap.posts.iter().filter(|(p, _)| p.source == "b").count(),
            5
        );
        assert_eq!(db.prune(0).unwrap(), 10);
        assert!(db.load().unwrap().posts.is_empty());
    }

    #[test]
    fn corrupt_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("circles.db");
        let garbage: Vec<u8> = (0..16_384u32).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, &garbage).unwrap();
        std::fs::write(dir.path().join("circles.db-wal"), b"stale wal").unwrap();

        let (mut db, note) = Db::open(&path).unwrap();
        let note = note.expect("a note for the status bar");
        assert!(note.contains("kept it as"), "{note}");
        assert!(note.contains(".corrupt-"), "{note}");
        db.save_posts(&[rich_post("a", 1, 1)]).unwrap();
        assert_eq!(db.load().unwrap().posts.len(), 1);

        let kept: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".corrupt-"))
            .collect();
        let main = kept
            .iter()
            .find(|p| !p.to_string_lossy().ends_with("-wal"))
            .expect("the garbage file is kept");
        assert_eq!(std::fs::read(main).unwrap(), garbage);
        // SQLite may already have dropped the stale WAL; it must not linger
        // beside the fresh database either way.
        let wal = std::fs::read(dir.path().join("circles.db-wal")).unwrap_or_default();
        assert!(!wal.starts_with(b"stale wal"));
    }

    #[test]
    fn damaged_pages_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, path) = db_in(&dir);
        let posts: Vec<Post> = (0..500).map(|i| rich_post("a", i, i.into())).collect();
        db.save_posts(&posts).unwrap();
        drop(db);
        // Keep the header, scribble over the pages after it.
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 3 * 4096);
        for b in &mut bytes[4096..3 * 4096] {
            *b = 0x5a;
        }
        std::fs::write(&path, &bytes).unwrap();
        let (db, note) = Db::open(&path).unwrap();
        let note = note.expect("a note");
        assert!(!note.contains('\n'), "{note}");
        assert!(db.load().unwrap().posts.is_empty());
    }

    #[test]
    fn two_instances_read_and_write() {
        let dir = tempfile::tempdir().unwrap();
        let (first, path) = db_in(&dir);
        let (second, note) = Db::open(&path).unwrap();
        assert_eq!(note, None);
        let workers: Vec<_> = [(first, "a"), (second, "b")]
            .into_iter()
            .map(|(mut db, source)| {
                std::thread::spawn(move || {
                    for i in 0..100u32 {
                        let batch: Vec<Post> = (0..5)
                            .map(|j| rich_post(source, i * 5 + j, i64::from(i)))
                            .collect();
                        db.save_posts(&batch).unwrap();
                        db.set_cursor(source, "offset", &i.to_string()).unwrap();
                        db.mark_seen(&[post_key(&batch[0])]).unwrap();
                        db.load().unwrap();
                    }
                    db
                })
            })
            .collect();
        let dbs: Vec<Db> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        for db in &dbs {
            let snap = db.load().unwrap();
            assert_eq!(snap.posts.len(), 1000);
            assert_eq!(snap.cursors[&("a".into(), "offset".into())], "99");
            assert_eq!(snap.cursors[&("b".into(), "offset".into())], "99");
        }
    }

    #[test]
    fn writer_batches_and_flushes_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = db_in(&dir);
        let writer = Writer::spawn(db);
        let posts: Vec<Post> = (0..1200).map(|i| rich_post("a", i, i.into())).collect();
        for chunk in posts.chunks(7) {
            writer.send(Write::Posts(
                chunk.iter().cloned().map(std::sync::Arc::new).collect(),
            ));
        }
        writer.send(Write::Seen(vec![post_key(&posts[0])]));
        writer.send(Write::Position {
            column: "All".into(),
            key: post_key(&posts[1]),
        });
        writer.send(Write::Cursor {
            source: "a".into(),
            key: "offset".into(),
            value: "4096".into(),
        });
        writer.send(Write::Deleted(post_key(&posts[2])));
        writer.send(Write::Prune(1000));
        drop(writer);

        let (db, _) = Db::open(&path).unwrap();
        let snap = db.load().unwrap();
        assert_eq!(snap.posts.len(), 1000);
        assert_eq!(snap.posts[0].0.id, "1199");
        assert_eq!(snap.positions["All"], post_key(&posts[1]));
        assert_eq!(snap.cursors[&("a".into(), "offset".into())], "4096");

        // A quiet writer commits within its interval, without a drop.
        let writer = Writer::spawn(db);
        writer.send(Write::Cursor {
            source: "a".into(),
            key: "offset".into(),
            value: "8192".into(),
        });
        let (reader, _) = Db::open(&path).unwrap();
        let started = Instant::now();
        loop {
            let snap = reader.load().unwrap();
            if snap.cursors[&("a".into(), "offset".into())] == "8192" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "never committed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(writer.take_error(), None);
    }

    #[test]
    fn file_size_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, path) = db_in(&dir);
        let size = |path: &Path| {
            let wal = path.with_file_name("circles.db-wal");
            std::fs::metadata(path).unwrap().len() + std::fs::metadata(wal).map_or(0, |m| m.len())
        };
        let mut at_5k = 0;
        for round in 0..20u32 {
            let batch: Vec<Post> = (0..1000)
                .map(|i| {
                    let n = round * 1000 + i;
                    rich_post(["a", "b"][n as usize % 2], n, n.into())
                })
                .collect();
            db.save_posts(&batch).unwrap();
            db.prune(1000).unwrap();
            if round == 4 {
                at_5k = size(&path);
            }
        }
        let at_20k = size(&path);
        assert_eq!(db.load().unwrap().posts.len(), 2000);
        assert!(at_20k <= 2 * at_5k, "grew from {at_5k} to {at_20k} bytes");
    }

    #[test]
    fn newer_schema_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = db_in(&dir);
        db.conn
            .execute(
                "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                [],
            )
            .unwrap();
        drop(db);
        let err = Db::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer circles"), "{err}");
        assert!(path.exists());
    }
}
