//! The mastodon source (being built).

use super::{Sink, SourceState};
use crate::config::SourceSpec;

pub(super) async fn run(sink: Sink, spec: SourceSpec) {
    let _ = spec;
    sink.state(SourceState::Failed(
        "mastodon sources are not supported by this version of circles yet".into(),
    ));
}
