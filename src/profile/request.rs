//! What the page asks of a loaded `.heapprofile` (one worker per file, as
//! for snapshots): its facts, the two trees of an ordinal range, and the
//! samples as bars over allocation order for the range selector. A profile
//! is not a snapshot: these requests are its own, not the snapshot
//! protocol's ([`crate::query::Request`]).

use super::{HeapProfile, OrdinalRange, ProfileRow};
use serde::{Deserialize, Serialize};

/// A request to a loaded profile, `{op: "...", ...}` with camelCase keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", deny_unknown_fields)]
pub enum ProfileRequest {
    /// `{op: "info"}`: what the snapshot list shows.
    Info,
    /// `{op: "profile", range: [min, max] | null}`: the trees, of the
    /// samples whose ordinal is in `range` (both ends included) if given.
    Profile {
        /// First and last ordinal kept.
        #[serde(default)]
        range: Option<[f64; 2]>,
    },
    /// `{op: "profileTimeline", buckets: N}`: the samples in at most `N`
    /// bars of allocation order.
    ProfileTimeline {
        /// Most bars.
        buckets: usize,
    },
}

/// The answer to a [`ProfileRequest`].
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ProfileResponse {
    /// For [`ProfileRequest::Info`].
    Info(ProfileInfo),
    /// For [`ProfileRequest::Profile`].
    Trees(ProfileTrees),
    /// For [`ProfileRequest::ProfileTimeline`].
    Timeline(Vec<OrdinalBucket>),
}

/// A profile's facts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    /// Always `"profile"`: tells a profile's worker from a snapshot's.
    pub kind: &'static str,
    /// Call-tree nodes.
    pub nodes: usize,
    /// Samples in the file.
    pub samples: usize,
    /// Bytes sampled in all.
    pub total_size: u64,
    /// Whether the samples carry ordinals a range can select on.
    pub has_ordinals: bool,
}

/// Both trees of one selection, as `heaplens profile --json` prints them
/// (without the schema).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileTrees {
    /// Bytes sampled in the selection.
    pub total: u64,
    /// The selection, when one was asked for.
    pub range: Option<[f64; 2]>,
    /// Functions, each with its callers.
    pub bottom_up: Vec<ProfileRow>,
    /// The root's callees, each with theirs.
    pub top_down: Vec<ProfileRow>,
}

/// One bar of the range selector: the samples whose ordinals fall in its
/// share of allocation order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdinalBucket {
    /// Its place among the bars asked for (0-based; empty ones are left
    /// out, so places may be skipped).
    pub index: usize,
    /// Smallest ordinal of its samples.
    pub first: f64,
    /// Largest ordinal of its samples.
    pub last: f64,
    /// Bytes its samples stand for.
    pub size: u64,
    /// How many samples.
    pub samples: usize,
}

impl HeapProfile {
    /// Answers one request.
    pub fn answer(&self, request: ProfileRequest) -> ProfileResponse {
        match request {
            ProfileRequest::Info => ProfileResponse::Info(ProfileInfo {
                kind: "profile",
                nodes: self.nodes.id.len(),
                samples: self.samples.len(),
                total_size: self.total(None),
                has_ordinals: self.has_ordinals(),
            }),
            ProfileRequest::Profile { range } => {
                let selection = range.map(|[min, max]| OrdinalRange { min, max });
                ProfileResponse::Trees(ProfileTrees {
                    total: self.total(selection),
                    range,
                    bottom_up: self.bottom_up(selection),
                    top_down: self.top_down(selection),
                })
            }
            ProfileRequest::ProfileTimeline { buckets } => {
                ProfileResponse::Timeline(self.ordinal_buckets(buckets))
            }
        }
    }

    /// True when at least two samples have different ordinals (a file
    /// without ordinals reads them all as 0: nothing to select between).
    pub fn has_ordinals(&self) -> bool {
        let mut ordinals = self.samples.iter().map(|s| s.ordinal);
        ordinals
            .next()
            .is_some_and(|first| ordinals.any(|o| o != first))
    }

    /// The samples in at most `buckets` bars of equal ordinal span, in
    /// order, empty bars left out. A bar's `first`..`last` selects exactly
    /// its samples, so a run of bars is an [`OrdinalRange`] whose total is
    /// the sum of their sizes (plus the root's own size).
    pub fn ordinal_buckets(&self, buckets: usize) -> Vec<OrdinalBucket> {
        let buckets = buckets.clamp(1, 10_000);
        let mut ordinals: Vec<(f64, u64)> =
            self.samples.iter().map(|s| (s.ordinal, s.size)).collect();
        ordinals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (Some(&(low, _)), Some(&(high, _))) = (ordinals.first(), ordinals.last()) else {
            return Vec::new();
        };
        let span = (high - low).max(f64::MIN_POSITIVE);
        let mut out: Vec<OrdinalBucket> = Vec::new();
        for (ordinal, size) in ordinals {
            let at = (((ordinal - low) / span) * buckets as f64) as usize;
            let at = at.min(buckets - 1);
            match out.last_mut() {
                Some(bar) if bar.index == at => {
                    bar.last = ordinal;
                    bar.size += size;
                    bar.samples += 1;
                }
                _ => out.push(OrdinalBucket {
                    index: at,
                    first: ordinal,
                    last: ordinal,
                    size,
                    samples: 1,
                }),
            }
        }
        out
    }
}
