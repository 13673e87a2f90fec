//! PEP 440 specifiers as PubGrub ranges, and ranges back as specifier-like text.
//!
//! PubGrub needs version *sets* closed under union, intersection and complement. A specifier
//! is an interval of PEP 440's order with three wrinkles that plain versions cannot bound:
//! `==1.0` also matches `1.0+local` labels, `==1.2.*` ends "after every 1.2.x", and `>1.0`
//! skips 1.0's post-releases. [`Point`] adds the sentinels for those: the end of a public
//! version's local labels, and the start and end of a release (`1.2`'s block holds
//! `1.2.dev0` … `1.2rc1` … `1.2` … `1.2.post9` and their local labels).
//!
//! Two cases are wider than the spec, because the exact sets are infinite unions of
//! intervals: `>V` for a pre-release V admits post-releases of later pre-releases of V's
//! release (`>1.0a1` admits `1.0a2.post1`), and `<V.postN` admits `V.postK.devM` for K < N.
//! Neither kind of version is seen on real indexes.

use std::fmt;
use std::ops::Bound;

use pubgrub::Ranges;

use pycontainer_python::pep440::{Operator, Specifier, SpecifierSet, Version};

/// A position in PEP 440's order: a version, or one of the sentinels around it.
///
/// Field order is the comparison order: the release block first, then the tier within it,
/// then the public version, whether this is past its local labels, and the local label.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    release: Version,
    tier: Tier,
    public: Version,
    after_locals: bool,
    version: Version,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Tier {
    /// Before every version of the release, its dev releases included.
    Start,
    Within,
    /// After every version of the release, its post-releases included.
    End,
}

pub type VersionSet = Ranges<Point>;

impl Point {
    pub fn exact(version: &Version) -> Point {
        Point {
            release: version.base(),
            tier: Tier::Within,
            public: version.public(),
            after_locals: false,
            version: version.clone(),
        }
    }

    /// Past `version` and all its local labels, before the next public version.
    fn after_locals(version: &Version) -> Point {
        let public = version.public();
        Point {
            release: version.base(),
            tier: Tier::Within,
            after_locals: true,
            version: public.clone(),
            public,
        }
    }

    fn release_edge(version: &Version, tier: Tier) -> Point {
        let release = version.base();
        Point {
            tier,
            public: release.clone(),
            after_locals: false,
            version: release.clone(),
            release,
        }
    }

    /// The version this point is, when it is one rather than a sentinel.
    pub fn version(&self) -> Option<&Version> {
        (self.tier == Tier::Within && !self.after_locals).then_some(&self.version)
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.tier, self.after_locals) {
            (Tier::Start, _) => write!(f, "{}.dev0", self.release),
            (Tier::End, _) => write!(f, "{}.*", self.release),
            (Tier::Within, true) => write!(f, "{}+*", self.public),
            (Tier::Within, false) => write!(f, "{}", self.version),
        }
    }
}

/// The versions every clause of `set` admits (pre-release policy aside: that is a choice
/// among candidates, not a property of the set).
pub fn from_specifiers(set: &SpecifierSet) -> VersionSet {
    set.iter().fold(Ranges::full(), |acc, spec| {
        acc.intersection(&from_specifier(spec))
    })
}

fn from_specifier(spec: &Specifier) -> VersionSet {
    let v = spec.version();
    match (spec.op(), spec.wildcard()) {
        (Operator::Equal, true) => prefix(v),
        (Operator::NotEqual, true) => prefix(v).complement(),
        (Operator::Equal, false) => equal(v),
        (Operator::NotEqual, false) => equal(v).complement(),
        (Operator::GreaterEqual, _) => Ranges::higher_than(Point::exact(&v.public())),
        (Operator::LessEqual, _) => Ranges::lower_than(Point::after_locals(v)),
        (Operator::Greater, _) => greater(v),
        (Operator::Less, _) => less(v),
        (Operator::Compatible, _) => compatible(v),
        // `===` compares spellings; the version it spells is the closest set.
        (Operator::Arbitrary, _) => Ranges::singleton(Point::exact(v)),
    }
}

/// `==V` matches V's local labels too, unless V has one itself.
fn equal(v: &Version) -> VersionSet {
    if v.is_local() {
        Ranges::singleton(Point::exact(v))
    } else {
        Ranges::from_range_bounds(Point::exact(v)..=Point::after_locals(v))
    }
}

/// `==V.*`: a release-only prefix covers whole release blocks; one with a pre or post
/// segment covers that segment's dev releases, post-releases and local labels.
fn prefix(v: &Version) -> VersionSet {
    let start = v.base().with_pre(v.pre()).with_post(v.post());
    let next = match (v.pre(), v.post()) {
        (None, None) => {
            let upper = Version::new(bump_last(v.release())).with_epoch(v.epoch());
            return Ranges::between(
                Point::release_edge(v, Tier::Start),
                Point::release_edge(&upper, Tier::Start),
            );
        }
        (pre, Some(post)) => v
            .base()
            .with_pre(pre)
            .with_post(Some(post.saturating_add(1))),
        (Some((kind, n)), None) => v.base().with_pre(Some((kind, n.saturating_add(1)))),
    };
    Ranges::between(
        Point::exact(&start.with_dev(Some(0))),
        Point::exact(&next.with_dev(Some(0))),
    )
}

fn bump_last(release: &[u64]) -> Vec<u64> {
    let mut out = release.to_vec();
    if let Some(last) = out.last_mut() {
        *last = last.saturating_add(1);
    }
    out
}

/// `>V` excludes V's local labels, and the post-releases of V's release unless V is one.
fn greater(v: &Version) -> VersionSet {
    let above = Ranges::strictly_higher_than(Point::after_locals(v));
    if v.is_postrelease() {
        return above;
    }
    let after_release = Ranges::strictly_higher_than(Point::release_edge(v, Tier::End));
    if !v.is_prerelease() {
        return after_release;
    }
    let first_post = v.base().with_post(Some(0)).with_dev(Some(0));
    above
        .intersection(&Ranges::strictly_lower_than(Point::exact(&first_post)))
        .union(&after_release)
}

/// `<V` excludes the pre-releases of V's release unless V is one.
fn less(v: &Version) -> VersionSet {
    if v.is_prerelease() {
        return Ranges::strictly_lower_than(Point::exact(&v.public()));
    }
    let before_release = Ranges::strictly_lower_than(Point::release_edge(v, Tier::Start));
    if !v.is_postrelease() {
        return before_release;
    }
    let final_release = v.base();
    let post_dev = v.public().with_dev(Some(0));
    before_release.union(&Ranges::between(
        Point::exact(&final_release),
        Point::exact(&post_dev),
    ))
}

/// `~=V` is `>=V` within V's release prefix: `~=1.4.5` is `>=1.4.5, ==1.4.*`.
fn compatible(v: &Version) -> VersionSet {
    let release = v.release();
    let head = release
        .get(..release.len().saturating_sub(1))
        .unwrap_or(release);
    let family = Version::new(head.to_vec()).with_epoch(v.epoch());
    Ranges::higher_than(Point::exact(&v.public())).intersection(&prefix(&family))
}

/// Whether `set` holds exactly one public version and its local labels (`==1.2.3`, or
/// `===1.2.3+cpu`): a pin, which PEP 592 lets use a yanked file.
pub fn pins_one_version(set: &VersionSet) -> bool {
    let mut segments = set.iter();
    match (segments.next(), segments.next()) {
        (Some((Bound::Included(a), Bound::Included(b))), None) => {
            a.version().is_some() && (a == b || (b.after_locals && a.public == b.public))
        }
        _ => false,
    }
}

/// Specifier-like text for a set: `>=0.40, <0.47`, `==1.2.3`, `!=1.5`, `==2.*`; empty for
/// every version, `" (no version)"` for none. Unions that no clause list can say are joined
/// with `or`.
pub fn describe(set: &VersionSet) -> String {
    let segments: Vec<(&Bound<Point>, &Bound<Point>)> = set.iter().collect();
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return " (no version)".to_string();
    };
    if let [(lo, hi)] = segments.as_slice() {
        return segment(lo, hi);
    }
    let gaps: Option<Vec<String>> = segments
        .windows(2)
        .map(|pair| match pair {
            [(_, hi), (lo, _)] => gap(hi, lo),
            _ => None,
        })
        .collect();
    match gaps {
        Some(gaps) => {
            let clauses: Vec<String> = lower(first.0)
                .into_iter()
                .chain(gaps.into_iter().filter(|g| !g.is_empty()))
                .chain(upper(last.1))
                .collect();
            clauses.join(", ")
        }
        None => {
            let parts: Vec<String> = segments.iter().map(|(lo, hi)| segment(lo, hi)).collect();
            parts.join(" or ")
        }
    }
}

fn segment(lo: &Bound<Point>, hi: &Bound<Point>) -> String {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) if a == b => format!("=={a}"),
        (Bound::Included(a), Bound::Included(b))
            if a.version().is_some() && b.after_locals && a.public == b.public =>
        {
            format!("=={}", a.public)
        }
        (Bound::Included(a), Bound::Excluded(b)) if is_prefix_block(a, b) => {
            format!("=={}.*", a.release)
        }
        _ => {
            let clauses: Vec<String> = lower(lo).into_iter().chain(upper(hi)).collect();
            clauses.join(", ")
        }
    }
}

/// `[start of A, start of B)` where B is A with its last release number bumped: `==A.*`.
fn is_prefix_block(a: &Point, b: &Point) -> bool {
    a.tier == Tier::Start
        && b.tier == Tier::Start
        && Version::new(bump_last(a.release.release())).with_epoch(a.release.epoch()) == b.release
}

fn lower(bound: &Bound<Point>) -> Option<String> {
    match bound {
        Bound::Unbounded => None,
        Bound::Included(p) => Some(format!(">={}", plain(p))),
        Bound::Excluded(p) => Some(format!(">{}", plain(p))),
    }
}

fn upper(bound: &Bound<Point>) -> Option<String> {
    match bound {
        Bound::Unbounded => None,
        Bound::Excluded(p) => Some(format!("<{}", plain(p))),
        Bound::Included(p) => Some(format!("<={}", plain(p))),
    }
}

/// A sentinel read as the version it borders: `<start of 2.0` is `<2.0`, which PEP 440
/// already reads as "before 2.0's pre-releases".
fn plain(p: &Point) -> String {
    match p.tier {
        Tier::Within if !p.after_locals => p.version.to_string(),
        Tier::Within => p.public.to_string(),
        Tier::Start | Tier::End => p.release.to_string(),
    }
}

/// A hole between two segments that one `!=` clause names; empty for the hole `>V` leaves
/// at V's release's post-releases, which PEP 440 implies and so needs no words.
fn gap(hi: &Bound<Point>, lo: &Bound<Point>) -> Option<String> {
    match (hi, lo) {
        (Bound::Excluded(a), Bound::Excluded(b))
            if b.tier == Tier::End
                && a.release == b.release
                && a.version().is_some_and(|v| {
                    v.pre().is_none() && v.post() == Some(0) && v.dev() == Some(0)
                }) =>
        {
            Some(String::new())
        }
        (Bound::Excluded(a), Bound::Excluded(b)) if a == b => Some(format!("!={a}")),
        (Bound::Excluded(a), Bound::Excluded(b))
            if a.version().is_some() && b.after_locals && a.public == b.public =>
        {
            Some(format!("!={}", a.public))
        }
        (Bound::Excluded(a), Bound::Included(b)) if is_prefix_block(a, b) => {
            Some(format!("!={}.*", a.release))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
