//! The people ledger in SQLite (ARCHITECTURE.md, "People"): accounts,
//! follows with their dates, and interactions counted by day.
//!
//! Kept small on purpose (a million interactions must stay well under
//! 50 MB): an account's key is written once (`people_who`) and referred to
//! by number; an interaction is one count in its person's day
//! (`people_daily`), and what makes it the same act when seen twice is
//! kept as 8 bytes of a SHA-256 of its key (`people_acts`). Interactions
//! older than [`KEEP_DAYS`] are dropped by [`Db::prune_ledger`].

use super::{CacheError, Db};
use crate::model::people::{Direction, Engaged, Interaction, Known, Relation};
use crate::people::{Follow, Ledger};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How long interactions are kept: longer than any sensible window.
pub const KEEP_DAYS: i64 = 400;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS people_who(
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    posts INTEGER,
    last_post INTEGER,
    created INTEGER,
    links TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS people_follows(
    source TEXT NOT NULL,
    relation INTEGER NOT NULL,
    who INTEGER NOT NULL,
    since INTEGER NOT NULL,
    since_known INTEGER NOT NULL,
    until INTEGER,
    scan INTEGER NOT NULL,
    PRIMARY KEY(source, relation, who)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS people_acts(
    act INTEGER PRIMARY KEY,
    day INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS people_daily(
    who INTEGER NOT NULL,
    day INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY(day, who, kind)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS people_mine(
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    at INTEGER NOT NULL,
    favourites INTEGER NOT NULL DEFAULT 0,
    boosts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY(source, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS people_scan(
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY(source, key)
) WITHOUT ROWID;
";

/// Brings a ledger made by an older circles to [`SCHEMA`]'s shape, inside
/// the transaction that opens the cache. Told by the table's shape, not by
/// the schema version, because either shape is read right by every circles:
/// an older one must still open the file.
///
/// - `people_daily` keyed by person first (before the day-first key made
///   the window a range of the key): copied into the day-first table.
pub(super) fn migrate(tx: &rusqlite::Connection) -> rusqlite::Result<()> {
    let first: Option<String> = tx
        .query_row(
            "SELECT name FROM pragma_table_info('people_daily') WHERE pk = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if first.as_deref() == Some("who") {
        tracing::info!("cache: re-keying people_daily by day");
        // The schema again makes only the table moved aside.
        tx.execute_batch(&format!(
            "ALTER TABLE people_daily RENAME TO people_daily_by_who;
             {SCHEMA}
             INSERT INTO people_daily(who, day, kind, n)
                 SELECT who, day, kind, n FROM people_daily_by_who;
             DROP TABLE people_daily_by_who;"
        ))?;
    }
    Ok(())
}

fn day_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// An interaction's kind and direction as one small number.
fn kind_code(direction: Direction, kind: Engaged) -> i64 {
    let d = match direction {
        Direction::In => 0,
        Direction::Out => 8,
    };
    d + kind as i64
}

fn kind_of(code: i64) -> Option<(Direction, Engaged)> {
    let direction = if code >= 8 {
        Direction::Out
    } else {
        Direction::In
    };
    let kind = *Engaged::ALL.get(usize::try_from(code % 8).ok()?)?;
    Some((direction, kind))
}

fn relation_code(relation: Relation) -> i64 {
    match relation {
        Relation::FollowsMe => 0,
        Relation::IFollow => 1,
    }
}

/// What makes an act the same act: 8 bytes of a SHA-256 of the source
/// and its key (a collision among a million acts is about 1 in 30
/// million).
fn act_id(source: &str, key: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(source.as_bytes())
        .chain_update([0])
        .chain_update(key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(bytes)
}

/// The number of an account's key, made on first sight.
fn who_id(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<i64> {
    if let Some(id) = known_who(tx, key)? {
        return Ok(id);
    }
    let handle = if key.starts_with("did:") || key.starts_with("feed:") {
        key.to_string()
    } else {
        format!("@{key}")
    };
    tx.prepare_cached("INSERT INTO people_who(key, handle) VALUES (?1, ?2)")?
        .execute(params![key, handle])?;
    Ok(tx.last_insert_rowid())
}

/// The number of the account keyed `key`, if it has one.
fn known_who(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT id FROM people_who WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Records interactions in `tx`, each once; how many were new.
pub(super) fn insert_interactions(
    tx: &Transaction<'_>,
    source: &str,
    interactions: &[Interaction],
) -> rusqlite::Result<usize> {
    let mut new = 0;
    for i in interactions.iter().filter(|i| !i.who.is_empty()) {
        let day = day_of(i.at);
        let added = tx
            .prepare_cached("INSERT OR IGNORE INTO people_acts(act, day) VALUES (?1, ?2)")?
            .execute(params![act_id(source, &i.key), day])?;
        if added == 0 {
            continue;
        }
        new += 1;
        let who = who_id(tx, &i.who)?;
        tx.prepare_cached(
            "INSERT INTO people_daily(who, day, kind, n) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT(day, who, kind) DO UPDATE SET n = n + 1",
        )?
        .execute(params![who, day, kind_code(i.direction, i.kind)])?;
    }
    Ok(new)
}

/// Takes interactions back out in `tx` (the reader undid them): each one
/// recorded is forgotten and its day's count lowered; how many were.
pub(super) fn remove_interactions(
    tx: &Transaction<'_>,
    source: &str,
    interactions: &[Interaction],
) -> rusqlite::Result<usize> {
    let mut removed = 0;
    for i in interactions {
        let act = act_id(source, &i.key);
        let day: Option<i64> = tx
            .prepare_cached("SELECT day FROM people_acts WHERE act = ?1")?
            .query_row([act], |row| row.get(0))
            .optional()?;
        let (Some(day), Some(who)) = (day, known_who(tx, &i.who)?) else {
            continue;
        };
        tx.prepare_cached("DELETE FROM people_acts WHERE act = ?1")?
            .execute([act])?;
        let kind = kind_code(i.direction, i.kind);
        tx.prepare_cached(
            "UPDATE people_daily SET n = n - 1 WHERE day = ?1 AND who = ?2 AND kind = ?3",
        )?
        .execute(params![day, who, kind])?;
        tx.prepare_cached(
            "DELETE FROM people_daily WHERE day = ?1 AND who = ?2 AND kind = ?3 AND n <= 0",
        )?
        .execute(params![day, who, kind])?;
        removed += 1;
    }
    Ok(removed)
}

/// `who` followed the reader at `at`, in `tx`: the follow begins then
/// (one still open keeps its row and takes the time).
pub(super) fn followed_at(
    tx: &Transaction<'_>,
    source: &str,
    who: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let rel = relation_code(Relation::FollowsMe);
    let who = who_id(tx, who)?;
    tx.execute(
        "INSERT INTO people_follows(source, relation, who, since, since_known, until, scan)
         VALUES (?1, ?2, ?3, ?4, 1, NULL, 0)
         ON CONFLICT(source, relation, who) DO UPDATE SET
             since = excluded.since, since_known = 1
         WHERE until IS NULL",
        params![source, rel, who, at.timestamp()],
    )?;
    Ok(())
}

impl Db {
    /// What is known of these accounts (newer facts replace older).
    pub fn ledger_accounts(&mut self, accounts: &[Known]) -> Result<(), CacheError> {
        self.in_tx(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO people_who(key, handle, name, posts, last_post, created, links)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(key) DO UPDATE SET
                     handle = excluded.handle, name = excluded.name,
                     posts = COALESCE(excluded.posts, posts),
                     last_post = COALESCE(excluded.last_post, last_post),
                     created = COALESCE(excluded.created, created),
                     links = CASE WHEN excluded.links = '' THEN links ELSE excluded.links END",
            )?;
            for a in accounts.iter().filter(|a| !a.key.is_empty()) {
                stmt.execute(params![
                    a.key,
                    a.handle,
                    a.name,
                    a.posts.and_then(|n| i64::try_from(n).ok()),
                    a.last_post.map(|t| t.timestamp()),
                    a.created.map(|t| t.timestamp()),
                    a.links.join("\n"),
                ])?;
            }
            Ok(())
        })
    }

    /// Records interactions, each once however often it is seen; how many
    /// were new.
    pub fn ledger_interactions(
        &mut self,
        source: &str,
        interactions: &[Interaction],
    ) -> Result<usize, CacheError> {
        self.in_tx(|tx| insert_interactions(tx, source, interactions))
    }

    /// Takes interactions back out (the reader undid them); how many were
    /// recorded.
    pub fn ledger_withdraw(
        &mut self,
        source: &str,
        interactions: &[Interaction],
    ) -> Result<usize, CacheError> {
        self.in_tx(|tx| remove_interactions(tx, source, interactions))
    }

    /// One page of a follow scan (`scan` numbers the scan): the accounts
    /// in it are marked seen, and those not followed before begin now. A
    /// follow found by the first complete scan of its kind began "then or
    /// before"; one found later began between two scans.
    pub fn ledger_follows(
        &mut self,
        source: &str,
        relation: Relation,
        keys: &[String],
        scan: i64,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        let known = self
            .ledger_state(source, &format!("{}:complete", relation.name()))?
            .is_some();
        let rel = relation_code(relation);
        self.in_tx(|tx| {
            for key in keys.iter().filter(|k| !k.is_empty()) {
                let who = who_id(tx, key)?;
                let open: Option<i64> = tx
                    .prepare_cached(
                        "SELECT until FROM people_follows
                         WHERE source = ?1 AND relation = ?2 AND who = ?3",
                    )?
                    .query_row(params![source, rel, who], |r| {
                        Ok(r.get::<_, Option<i64>>(0)?.map_or(1, |_| 0))
                    })
                    .optional()?;
                match open {
                    Some(1) => {
                        tx.prepare_cached(
                            "UPDATE people_follows SET scan = ?4
                             WHERE source = ?1 AND relation = ?2 AND who = ?3",
                        )?
                        .execute(params![source, rel, who, scan])?;
                    }
                    _ => {
                        tx.prepare_cached(
                            "INSERT INTO people_follows(source, relation, who, since, since_known, until, scan)
                             VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)
                             ON CONFLICT(source, relation, who) DO UPDATE SET
                                 since = excluded.since, since_known = excluded.since_known,
                                 until = NULL, scan = excluded.scan",
                        )?
                        .execute(params![source, rel, who, now.timestamp(), known, scan])?;
                    }
                }
            }
            Ok(())
        })
    }

    /// A follow scan went through every page: the follows it did not see
    /// ended now. How many ended.
    pub fn ledger_follows_done(
        &mut self,
        source: &str,
        relation: Relation,
        scan: i64,
        now: DateTime<Utc>,
    ) -> Result<usize, CacheError> {
        let rel = relation_code(relation);
        let mut ended = 0;
        self.in_tx(|tx| {
            ended = tx.execute(
                "UPDATE people_follows SET until = ?4
                 WHERE source = ?1 AND relation = ?2 AND until IS NULL AND scan < ?3",
                params![source, rel, scan, now.timestamp()],
            )?;
            Ok(())
        })?;
        self.set_ledger_state(
            source,
            &format!("{}:complete", relation.name()),
            &now.timestamp().to_string(),
        )?;
        Ok(ended)
    }

    /// A notification said `who` followed the reader at `at`: that is
    /// when the follow began.
    pub fn ledger_followed_at(
        &mut self,
        source: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.in_tx(|tx| followed_at(tx, source, who, at))
    }

    /// One of the reader's own posts (for "of your N posts") with its
    /// favourite and boost counts now; the counts the last scan saw, none
    /// if it is new to the ledger. A scan asks who favourited or boosted a
    /// post only when they changed.
    pub fn ledger_my_post(
        &mut self,
        source: &str,
        id: &str,
        at: DateTime<Utc>,
        counts: (u32, u32),
    ) -> Result<Option<(u32, u32)>, CacheError> {
        let mut before = None;
        self.in_tx(|tx| {
            before = tx
                .prepare_cached(
                    "SELECT favourites, boosts FROM people_mine WHERE source = ?1 AND id = ?2",
                )?
                .query_row(params![source, id], |r| {
                    Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?))
                })
                .optional()?;
            tx.prepare_cached(
                "INSERT INTO people_mine(source, id, at, favourites, boosts)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(source, id) DO UPDATE SET
                     favourites = excluded.favourites, boosts = excluded.boosts",
            )?
            .execute(params![source, id, at.timestamp(), counts.0, counts.1])?;
            Ok(())
        })?;
        Ok(before)
    }

    /// A scan's own note (where it got to, who the reader is).
    pub fn ledger_state(&self, source: &str, key: &str) -> Result<Option<String>, CacheError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM people_scan WHERE source = ?1 AND key = ?2")?
            .query_row(params![source, key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a scan's note; an empty value removes it.
    pub fn set_ledger_state(
        &mut self,
        source: &str,
        key: &str,
        value: &str,
    ) -> Result<(), CacheError> {
        self.in_tx(|tx| {
            if value.is_empty() {
                tx.execute(
                    "DELETE FROM people_scan WHERE source = ?1 AND key = ?2",
                    params![source, key],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO people_scan(source, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT(source, key) DO UPDATE SET value = excluded.value",
                    params![source, key, value],
                )?;
            }
            Ok(())
        })
    }

    /// What the ledger holds for `sources` (all when empty) over the
    /// window from `since`: the people view's input. The timeline's part
    /// (`seen`) is the caller's.
    pub fn ledger(&self, sources: &[String], since: DateTime<Utc>) -> Result<Ledger, CacheError> {
        let mut ledger = Ledger::default();
        let wanted = |source: &str| sources.is_empty() || sources.iter().any(|s| s == source);
        let mut stmt = self
            .conn
            .prepare("SELECT source, value FROM people_scan WHERE key = 'me'")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (source, me) = row?;
            if wanted(&source) && !ledger.me.contains(&me) {
                ledger.me.push(me);
            }
        }
        // Accounts by their number, so the other tables are read without a
        // join and matched here.
        let mut number: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, key, handle, name, posts, last_post, created, links FROM people_who",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            number.insert(r.get(0)?, ledger.accounts.len());
            ledger.accounts.push(Known {
                key: r.get(1)?,
                handle: r.get(2)?,
                name: r.get(3)?,
                posts: r
                    .get::<_, Option<i64>>(4)?
                    .and_then(|n| u64::try_from(n).ok()),
                last_post: r.get::<_, Option<i64>>(5)?.map(time),
                created: r.get::<_, Option<i64>>(6)?.map(time),
                links: r
                    .get_ref(7)?
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect(),
            });
        }
        let key_of = |who: i64| {
            number
                .get(&who)
                .and_then(|i| ledger.accounts.get(*i))
                .map(|a| a.key.clone())
        };
        let mut stmt = self.conn.prepare(
            "SELECT source, who, relation, since, since_known, until FROM people_follows",
        )?;
        let mut rows = stmt.query([])?;
        let mut follows = Vec::new();
        while let Some(r) = rows.next()? {
            if !wanted(r.get_ref(0)?.as_str().unwrap_or_default()) {
                continue;
            }
            let Some(who) = key_of(r.get(1)?) else {
                continue;
            };
            follows.push(Follow {
                who,
                relation: if r.get::<_, i64>(2)? == 0 {
                    Relation::FollowsMe
                } else {
                    Relation::IFollow
                },
                since: time(r.get(3)?),
                since_known: r.get::<_, i64>(4)? != 0,
                until: r.get::<_, Option<i64>>(5)?.map(time),
            });
        }
        // The window's day counts, a range of the table's key, added up
        // here (cheaper than SQLite's grouping over a join).
        let mut sums: HashMap<(i64, i64), u64> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT who, kind, n FROM people_daily WHERE day >= ?1")?;
        let mut rows = stmt.query([day_of(since)])?;
        while let Some(r) = rows.next()? {
            let n = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
            *sums.entry((r.get(0)?, r.get(1)?)).or_default() += n;
        }
        let mut counts = Vec::with_capacity(sums.len());
        for ((who, code), n) in sums {
            if let (Some(key), Some((direction, kind))) = (key_of(who), kind_of(code)) {
                counts.push((key, direction, kind, u32::try_from(n).unwrap_or(u32::MAX)));
            }
        }
        ledger.follows = follows;
        ledger.counts = counts;
        let mut stmt = self
            .conn
            .prepare("SELECT source, COUNT(*) FROM people_mine WHERE at >= ?1 GROUP BY source")?;
        for row in stmt.query_map([since.timestamp()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (source, n) = row?;
            if wanted(&source) {
                ledger.my_posts += u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        Ok(ledger)
    }

    /// Drops interactions older than [`KEEP_DAYS`] before `now`; how many
    /// day counts went.
    pub fn prune_ledger(&mut self, now: DateTime<Utc>) -> Result<usize, CacheError> {
        let oldest = day_of(now - TimeDelta::days(KEEP_DAYS));
        let mut removed = 0;
        self.in_tx(|tx| {
            removed = tx.execute("DELETE FROM people_daily WHERE day < ?1", [oldest])?;
            tx.execute("DELETE FROM people_acts WHERE day < ?1", [oldest])?;
            tx.execute("DELETE FROM people_mine WHERE at < ?1", [oldest * 86_400])?;
            Ok(())
        })?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn open() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(&dir.path().join("circles.db")).unwrap();
        (dir, db)
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()
    }

    fn act(
        key: &str,
        who: &str,
        direction: Direction,
        kind: Engaged,
        days_ago: i64,
    ) -> Interaction {
        Interaction {
            key: key.into(),
            who: who.into(),
            direction,
            kind,
            at: now() - TimeDelta::days(days_ago),
        }
    }

    #[test]
    fn an_act_seen_twice_counts_once_and_the_window_counts_by_day() {
        let (_dir, mut db) = open();
        let acts = [
            act(
                "in:favourite:1:bob",
                "bob@h",
                Direction::In,
                Engaged::Favourite,
                1,
            ),
            act(
                "in:favourite:2:bob",
                "bob@h",
                Direction::In,
                Engaged::Favourite,
                2,
            ),
            act(
                "out:reply:3:bob",
                "bob@h",
                Direction::Out,
                Engaged::Reply,
                100,
            ),
        ];
        assert_eq!(db.ledger_interactions("m", &acts).unwrap(), 3);
        assert_eq!(db.ledger_interactions("m", &acts[..1]).unwrap(), 0);
        // Another account's sight of the same key is another act.
        assert_eq!(db.ledger_interactions("b", &acts[..1]).unwrap(), 1);
        let ledger = db.ledger(&[], now() - TimeDelta::days(90)).unwrap();
        assert_eq!(
            ledger.counts,
            [("bob@h".to_string(), Direction::In, Engaged::Favourite, 3)]
        );
        let year = db.ledger(&[], now() - TimeDelta::days(365)).unwrap();
        assert_eq!(year.counts.len(), 2);
        // Pruned past the keep: the old reply goes, the rest stays.
        assert_eq!(
            db.prune_ledger(now() + TimeDelta::days(KEEP_DAYS - 50))
                .unwrap(),
            1
        );
        assert_eq!(
            db.ledger(&[], now() - TimeDelta::days(365))
                .unwrap()
                .counts
                .len(),
            1
        );
    }

    /// A cache whose day counts are keyed by person first (made before the
    /// day-first key) is re-keyed when opened, its counts all kept.
    #[test]
    fn an_old_ledger_is_keyed_by_day_when_opened_and_keeps_its_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("circles.db");
        let key_of = |db: &Db| -> Vec<String> {
            let mut stmt = db
                .conn
                .prepare(
                    "SELECT name FROM pragma_table_info('people_daily') WHERE pk > 0 ORDER BY pk",
                )
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        {
            let (mut db, _) = Db::open(&path).unwrap();
            let acts = [
                act(
                    "in:favourite:1",
                    "bob@h",
                    Direction::In,
                    Engaged::Favourite,
                    1,
                ),
                act(
                    "in:favourite:2",
                    "bob@h",
                    Direction::In,
                    Engaged::Favourite,
                    3,
                ),
                act("out:reply:3", "ann@h", Direction::Out, Engaged::Reply, 2),
            ];
            assert_eq!(db.ledger_interactions("m", &acts).unwrap(), 3);
            // The counts as an older circles kept them.
            db.conn
                .execute_batch(
                    "CREATE TABLE old(who INTEGER NOT NULL, day INTEGER NOT NULL,
                         kind INTEGER NOT NULL, n INTEGER NOT NULL,
                         PRIMARY KEY(who, day, kind)) WITHOUT ROWID;
                     INSERT INTO old SELECT who, day, kind, n FROM people_daily;
                     DROP TABLE people_daily;
                     ALTER TABLE old RENAME TO people_daily;",
                )
                .unwrap();
            assert_eq!(key_of(&db), ["who", "day", "kind"]);
        }
        let (db, _) = Db::open(&path).unwrap();
        assert_eq!(key_of(&db), ["day", "who", "kind"], "re-keyed on open");
        let mut counts = db.ledger(&[], now() - TimeDelta::days(90)).unwrap().counts;
        counts.sort();
        assert_eq!(
            counts,
            [
                ("ann@h".to_string(), Direction::Out, Engaged::Reply, 1),
                ("bob@h".to_string(), Direction::In, Engaged::Favourite, 2),
            ]
        );
    }

    #[test]
    fn an_act_taken_back_leaves_the_ledger() {
        let (_dir, mut db) = open();
        let liked =
            |key: &str, days: i64| act(key, "bob@h", Direction::Out, Engaged::Favourite, days);
        let acts = [liked("out:favourite:1", 1), liked("out:favourite:2", 1)];
        assert_eq!(db.ledger_interactions("m", &acts).unwrap(), 2);
        let count = |db: &mut Db| db.ledger(&[], now() - TimeDelta::days(90)).unwrap().counts;
        let withdrawn = |db: &mut Db, list: &[Interaction]| db.ledger_withdraw("m", list).unwrap();
        // Taken back (the time it was undone does not matter: the act does).
        assert_eq!(withdrawn(&mut db, &[liked("out:favourite:1", 0)]), 1);
        assert_eq!(
            count(&mut db),
            [("bob@h".to_string(), Direction::Out, Engaged::Favourite, 1)]
        );
        // Twice, or one never recorded, or through another account: nothing.
        assert_eq!(withdrawn(&mut db, &[liked("out:favourite:1", 0)]), 0);
        assert_eq!(withdrawn(&mut db, &[liked("out:favourite:9", 0)]), 0);
        assert_eq!(count(&mut db).len(), 1);
        assert_eq!(withdrawn(&mut db, &[liked("out:favourite:2", 0)]), 1);
        assert!(count(&mut db).is_empty());
        // Made again, it counts again.
        assert_eq!(db.ledger_interactions("m", &acts[..1]).unwrap(), 1);
        assert_eq!(count(&mut db).len(), 1);
    }

    #[test]
    fn follows_begin_and_end_between_scans() {
        let (_dir, mut db) = open();
        let day = TimeDelta::days(1);
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The first scan: bob and carol follow, since then or before.
        db.ledger_follows(
            "m",
            Relation::FollowsMe,
            &keys(&["bob@h", "carol@h"]),
            1,
            now(),
        )
        .unwrap();
        db.ledger_follows_done("m", Relation::FollowsMe, 1, now())
            .unwrap();
        // The second: carol left, dan came.
        let later = now() + day * 3;
        db.ledger_follows(
            "m",
            Relation::FollowsMe,
            &keys(&["bob@h", "dan@h"]),
            2,
            later,
        )
        .unwrap();
        assert_eq!(
            db.ledger_follows_done("m", Relation::FollowsMe, 2, later)
                .unwrap(),
            1
        );
        // A notification said when erin followed.
        db.ledger_followed_at("m", "erin@h", now() - day).unwrap();
        let mut follows = db.ledger(&[], now()).unwrap().follows;
        follows.sort_by(|a, b| a.who.cmp(&b.who));
        let got: Vec<_> = follows
            .iter()
            .map(|f| (f.who.as_str(), f.since, f.since_known, f.until))
            .collect();
        assert_eq!(
            got,
            [
                ("bob@h", now(), false, None),
                ("carol@h", now(), false, Some(later)),
                ("dan@h", later, true, None),
                ("erin@h", now() - day, true, None),
            ]
        );
        // Another source's follows are its own.
        assert!(db.ledger(&["b".into()], now()).unwrap().follows.is_empty());
    }

    #[test]
    fn the_app_s_writes_reach_the_ledger() {
        use crate::store::Write;
        let (_dir, mut db) = open();
        let fav = act(
            "in:favourite:7:erin",
            "erin@h",
            Direction::In,
            Engaged::Favourite,
            0,
        );
        db.write(&[
            Write::Interactions {
                source: "m".into(),
                list: vec![fav.clone(), fav],
            },
            Write::FollowedAt {
                source: "m".into(),
                who: "carol@h".into(),
                at: now(),
            },
        ])
        .unwrap();
        let ledger = db.ledger(&[], now() - TimeDelta::days(1)).unwrap();
        assert_eq!(
            ledger.counts,
            [("erin@h".to_string(), Direction::In, Engaged::Favourite, 1)]
        );
        assert_eq!(ledger.follows.len(), 1);
        assert!(ledger.follows[0].since_known);
    }

    #[test]
    fn accounts_keep_what_a_later_sight_does_not_say() {
        let (_dir, mut db) = open();
        let carol = Known {
            key: "carol@h".into(),
            handle: "@carol@h".into(),
            name: "Carol".into(),
            posts: Some(30),
            last_post: Some(now()),
            created: None,
            links: vec!["url:carol.example/about".into()],
        };
        db.ledger_accounts(std::slice::from_ref(&carol)).unwrap();
        db.ledger_accounts(&[Known {
            posts: None,
            name: "Carol N".into(),
            links: Vec::new(),
            ..carol.clone()
        }])
        .unwrap();
        assert_eq!(db.ledger_my_post("m", "1", now(), (2, 0)).unwrap(), None);
        assert_eq!(
            db.ledger_my_post("m", "1", now(), (3, 1)).unwrap(),
            Some((2, 0))
        );
        db.ledger_my_post("m", "2", now() - TimeDelta::days(200), (0, 0))
            .unwrap();
        db.set_ledger_state("m", "me", "alice@h").unwrap();
        let ledger = db.ledger(&[], now() - TimeDelta::days(90)).unwrap();
        assert_eq!(ledger.accounts[0].posts, Some(30));
        assert_eq!(ledger.accounts[0].links, ["url:carol.example/about"]);
        assert_eq!(ledger.accounts[0].name, "Carol N");
        assert_eq!(ledger.my_posts, 1);
        assert_eq!(ledger.me, ["alice@h"]);
        db.set_ledger_state("m", "me", "").unwrap();
        assert_eq!(db.ledger_state("m", "me").unwrap(), None);
    }
}
