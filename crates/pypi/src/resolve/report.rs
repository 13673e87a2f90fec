//! Conflict reports in plain words: PubGrub's derivation, with packages and version sets
//! written as requirements (`fastapi==0.115.0 depends on starlette>=0.40, <0.47`) and with
//! each "no version" explained from the index data (no wheel for the target, Python too
//! old, yanked).

use std::sync::Arc;

use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};

use super::candidates::{self, Project, Unusable};
use super::provider::Unavailable;
use super::range::{self, Point, VersionSet};
use super::{Node, Resolver};
use pycontainer_python::name::PackageName;
use pycontainer_python::pep440::Version;

type Tree = DerivationTree<Node, VersionSet, Unavailable>;
type Ext = External<Node, VersionSet, Unavailable>;
type Der = Derived<Node, VersionSet, Unavailable>;
type Terms = Map<Node, Term<VersionSet>>;

pub(super) fn explain(tree: &Tree, resolver: &Resolver) -> String {
    let plain = Plain { resolver };
    DefaultStringReporter::report_with_formatter(&plain.collapse(tree), &plain)
}

struct Plain<'r> {
    resolver: &'r Resolver,
}

/// A node and a set as one requirement: `starlette>=0.40, <0.47`, `uvicorn[standard]`.
fn term(node: &Node, set: &VersionSet) -> String {
    match node {
        Node::Root => node.to_string(),
        _ => format!("{node}{}", range::describe(set)),
    }
}

impl Plain<'_> {
    /// Folds each "no version of X in S" that only says S holds no release of X into the
    /// fact it was derived with: "X==1.0 depends on Y" and "no other X exists" become "X
    /// depends on Y". A "no version" with a reason (no wheel, yanked) is kept, since it is
    /// the news. Bottom-up, so that folded causes can fold again.
    fn collapse(&self, tree: &Tree) -> Tree {
        let DerivationTree::Derived(derived) = tree else {
            return tree.clone();
        };
        let cause1 = self.collapse(&derived.cause1);
        let cause2 = self.collapse(&derived.cause2);
        if let (DerivationTree::External(a), DerivationTree::External(b)) = (&cause1, &cause2) {
            if let Some(merged) = self.fold(a, b).or_else(|| self.fold(b, a)) {
                return DerivationTree::External(merged);
            }
        }
        DerivationTree::Derived(Derived {
            terms: derived.terms.clone(),
            shared_id: derived.shared_id,
            cause1: Arc::new(cause1),
            cause2: Arc::new(cause2),
        })
    }

    fn fold(&self, absent: &Ext, fact: &Ext) -> Option<Ext> {
        let External::NoVersions(node, missing) = absent else {
            return None;
        };
        if !self.none_listed(node, missing) {
            return None;
        }
        match fact {
            External::FromDependencyOf(parent, set, dep, dep_set) if parent == node => {
                Some(External::FromDependencyOf(
                    parent.clone(),
                    set.union(missing),
                    dep.clone(),
                    dep_set.clone(),
                ))
            }
            External::Custom(other, set, reason) if other == node => Some(External::Custom(
                other.clone(),
                set.union(missing),
                reason.clone(),
            )),
            _ => None,
        }
    }

    /// The index lists the project but no version of it in `set`.
    fn none_listed(&self, node: &Node, set: &VersionSet) -> bool {
        node.name()
            .and_then(|name| self.resolver.projects.get(name))
            .is_some_and(|p| p.found && p.versions().all(|(v, _)| !set.contains(&Point::exact(v))))
    }

    /// Why no version of `node` in `set` can be used, from what the index lists.
    fn no_versions(&self, node: &Node, set: &VersionSet) -> String {
        let Some(name) = node.name() else {
            return "the project cannot be resolved".to_string();
        };
        let Some(project) = self.resolver.projects.get(name).filter(|p| p.found) else {
            return format!("the index has no project named {name}");
        };
        let matching: Vec<_> = project
            .versions()
            .filter(|(v, _)| set.contains(&Point::exact(v)))
            .collect();
        let Some(&(version, files)) = matching.first() else {
            return absent(name, node, set, project);
        };
        let platform = self.resolver.platform();
        let why = match candidates::assess(files, &platform, range::pins_one_version(set)) {
            Err(Unusable::NoWheel { wheels }) => self.no_wheel(name, version, wheels, project),
            Err(Unusable::RequiresPython(requires)) => format!(
                "{name} {version} requires Python {requires} (the image has Python {})",
                self.resolver.target.python
            ),
            Err(Unusable::Yanked(reason)) => {
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({reason})")
                };
                format!(
                    "{name} {version} was yanked{reason}; pin it with =={version} to use it anyway"
                )
            }
            Ok(_) => format!("no version of {} can be used", term(node, set)),
        };
        match matching.len() {
            0 | 1 => why,
            2 => format!(
                "{why}; nor can the older version of {} be used",
                term(node, set)
            ),
            n => format!(
                "{why}; nor can the {} older versions of {} be used",
                n - 1,
                term(node, set)
            ),
        }
    }

    /// `node` and `set` as a requirement, with the set of a package that depends on
    /// something shown by the versions the index has: `fastapi==0.115.0` when that is the
    /// only one in the set, and `fastapi<0.115.0`, not the `fastapi!=0.115.0` PubGrub
    /// derives when 0.115.0 is the newest.
    fn dependent(&self, node: &Node, set: &VersionSet) -> String {
        let listed: Vec<Point> = node
            .name()
            .and_then(|name| self.resolver.projects.get(name))
            .map(|p| p.versions().map(|(v, _)| Point::exact(v)).rev().collect())
            .unwrap_or_default();
        let mut inside = listed.iter().filter(|p| set.contains(p));
        match (inside.next(), inside.next()) {
            (Some(only), None) if *set != VersionSet::full() => {
                term(node, &VersionSet::singleton(only.clone()))
            }
            _ => term(node, &set.simplify(listed.iter())),
        }
    }

    /// "A depends on B, but B cannot be used": the one-line shape of the commonest failure.
    fn but(&self, edge: &Ext, absent: &Ext) -> Option<String> {
        let External::FromDependencyOf(_, _, dep, _) = edge else {
            return None;
        };
        match absent {
            External::NoVersions(node, _) | External::Custom(node, _, _) if node == dep => {
                Some(format!(
                    "{}, but {}",
                    self.format_external(edge),
                    self.format_external(absent)
                ))
            }
            _ => None,
        }
    }

    fn no_wheel(
        &self,
        name: &PackageName,
        version: &Version,
        wheels: usize,
        project: &Project,
    ) -> String {
        let platform = self.resolver.platform();
        let has = match wheels {
            0 => "it has only a source distribution".to_string(),
            1 => "its one wheel is built for another platform or Python".to_string(),
            n => format!("its {n} wheels are built for other platforms or Pythons"),
        };
        let nearest = match project.nearest_with_wheel(version, &platform) {
            Some(other) => format!("the nearest version with a wheel is {other}"),
            None => format!("no version of {name} has a wheel that fits"),
        };
        format!(
            "no wheel of {name} {version} fits {}; {has}; {nearest}",
            self.resolver.target.describe()
        )
    }

    /// The terms of an incompatibility sorted by node, so that wording never depends on
    /// hash order.
    fn sorted(terms: &Terms) -> Vec<(&Node, &Term<VersionSet>)> {
        let mut sorted: Vec<_> = terms.iter().collect();
        pycontainer_sort::sort_by(&mut sorted, |a, b| a.0.cmp(b.0));
        sorted
    }
}

/// No version of `node` in `set` is listed at all.
fn absent(name: &PackageName, node: &Node, set: &VersionSet, project: &Project) -> String {
    let listed: Vec<&Version> = project.versions().map(|(v, _)| v).collect();
    let only = listed.iter().fold(VersionSet::empty(), |acc, v| {
        acc.union(&VersionSet::singleton(Point::exact(v)))
    });
    match listed.first() {
        None => format!("the index lists no wheel or source distribution of {name}"),
        Some(_) if listed.len() <= 3 && *set == only.complement() => {
            let versions: Vec<String> = listed.iter().rev().map(|v| v.to_string()).collect();
            format!(
                "{name} has no version other than {}",
                versions.join(" and ")
            )
        }
        // `!=1.1.3` next to `>=1.1.3` (or `>1.1.3`) when 1.1.3 is the newest:
        // say it as the exclusion it is.
        Some(newest) if range::describe(set) == format!(">{newest}") => {
            format!("{name} {newest} is excluded and no newer version exists")
        }
        Some(newest) => format!(
            "no version of {} exists (the newest is {newest})",
            term(node, set)
        ),
    }
}

/// Sentences start with a capital, but package names keep their case.
fn sentence(text: String) -> String {
    match text.strip_prefix("the project") {
        Some(rest) => format!("The project{rest}"),
        None => text,
    }
}

impl ReportFormatter<Node, VersionSet, Unavailable> for Plain<'_> {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(..) => "the project is what is being resolved".to_string(),
            External::NoVersions(node, set) => self.no_versions(node, set),
            External::FromDependencyOf(node, set, dep, dep_set) => {
                format!(
                    "{} depends on {}",
                    self.dependent(node, set),
                    term(dep, dep_set)
                )
            }
            External::Custom(node, set, reason) => {
                format!("{} cannot be used: {reason}", self.dependent(node, set))
            }
        }
    }

    fn format_terms(&self, terms: &Terms) -> String {
        match Self::sorted(terms).as_slice() {
            [] | [(Node::Root, Term::Positive(_))] => {
                "no versions satisfy the project's requirements".to_string()
            }
            [(node, Term::Positive(set))] => {
                format!("{} cannot be used", self.dependent(node, set))
            }
            [(Node::Root, Term::Positive(_)), (node, Term::Positive(set))] => {
                format!("the project cannot use {}", self.dependent(node, set))
            }
            [(node, Term::Negative(set))] => format!("{} is required", term(node, set)),
            [(a, Term::Positive(sa)), (b, Term::Negative(sb))]
            | [(b, Term::Negative(sb)), (a, Term::Positive(sa))] => {
                format!("{} depends on {}", self.dependent(a, sa), term(b, sb))
            }
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|(node, t)| match t {
                        Term::Positive(set) => self.dependent(node, set),
                        Term::Negative(set) => format!("no {}", term(node, set)),
                    })
                    .collect();
                format!("{} cannot be used together", parts.join(" and "))
            }
        }
    }

    fn explain_both_external(&self, first: &Ext, second: &Ext, terms: &Terms) -> String {
        if let Some(text) = self.but(first, second).or_else(|| self.but(second, first)) {
            return match Self::sorted(terms).as_slice() {
                [] | [(Node::Root, Term::Positive(_))] => format!("{}.", sentence(text)),
                _ => format!("{}, so {}.", sentence(text), self.format_terms(terms)),
            };
        }
        format!(
            "Because {} and {}, {}.",
            self.format_external(first),
            self.format_external(second),
            self.format_terms(terms)
        )
    }

    fn explain_both_ref(
        &self,
        first_id: usize,
        first: &Der,
        second_id: usize,
        second: &Der,
        terms: &Terms,
    ) -> String {
        format!(
            "Because {} ({first_id}) and {} ({second_id}), {}.",
            self.format_terms(&first.terms),
            self.format_terms(&second.terms),
            self.format_terms(terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        id: usize,
        derived: &Der,
        external: &Ext,
        terms: &Terms,
    ) -> String {
        format!(
            "Because {} ({id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(terms)
        )
    }

    fn and_explain_external(&self, external: &Ext, terms: &Terms) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.format_terms(terms)
        )
    }

    fn and_explain_ref(&self, id: usize, derived: &Der, terms: &Terms) -> String {
        format!(
            "And because {} ({id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(terms)
        )
    }

    fn and_explain_prior_and_external(&self, prior: &Ext, external: &Ext, terms: &Terms) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior),
            self.format_external(external),
            self.format_terms(terms)
        )
    }
}
