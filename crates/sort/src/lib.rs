//! Stable sorting through one shared copy of the standard library's sort.
//!
//! `slice::sort_by` is compiled anew for every element type and comparison, at about 5 KB of
//! wasm each: thirty call sites came to 140 KB of the module. [`sort_by`] sorts positions
//! instead, with the comparison behind `dyn`, so the sort itself is compiled once, then swaps
//! the elements into that order. It is as stable as `sort_by`, and the extra pass is cheap
//! next to the comparisons.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal elements in their order, as `sort_by` does.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = {
        let items = &*items;
        sorted_positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => Ordering::Equal,
        })
    };
    for (a, b) in swaps(order) {
        items.swap(a, b);
    }
}

/// Sorts `items` in their natural order, as `sort` does.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..len`, sorted by `compare`; the one instantiation of the std sort.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    // The one standard sort the whole module is allowed.
    #[allow(clippy::disallowed_methods)]
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// The swaps that put the element at `order[k]` at position `k`, for every `k`: each cycle
/// of the permutation is followed once, so that the generic part is a loop of swaps.
fn swaps(mut order: Vec<usize>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for start in 0..order.len() {
        let mut at = start;
        // Marking each visited position as in place ends the cycle, and skips it later.
        while let Some(from) = order.get_mut(at).map(|slot| std::mem::replace(slot, at)) {
            if from == start || from == at {
                break;
            }
            out.push((at, from));
            at = from;
        }
    }
    out
}

/// The standard sorts are the reference these tests hold the shared one to.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_sort_and_keeps_ties_in_order() {
        let mut items: Vec<(u8, &str)> = vec![
            (3, "a"),
            (1, "b"),
            (2, "c"),
            (1, "d"),
            (3, "e"),
            (0, "f"),
            (2, "g"),
        ];
        let mut expected = items.clone();
        expected.sort_by_key(|a| a.0);
        sort_by(&mut items, |a, b| a.0.cmp(&b.0));
        assert_eq!(items, expected);
        assert_eq!(items.iter().map(|i| i.1).collect::<String>(), "fbdcgae");
    }

    #[test]
    fn natural_order_and_the_empty_list() {
        let mut words = vec!["pip", "attrs", "six", "idna"];
        sort(&mut words);
        assert_eq!(words, ["attrs", "idna", "pip", "six"]);
        let mut none: Vec<String> = Vec::new();
        sort(&mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn every_permutation_of_four_is_undone() {
        let mut order = vec![0usize, 1, 2, 3];
        let mut seen = 0;
        // Heap's algorithm, iteratively, over the 24 orders of four.
        let mut c = [0usize; 4];
        let mut i = 0;
        let mut check = |order: &Vec<usize>| {
            let mut items: Vec<usize> = (0..4).map(|k| 10 * k).collect();
            for (a, b) in swaps(order.clone()) {
                items.swap(a, b);
            }
            let expected: Vec<usize> = order.iter().map(|k| 10 * k).collect();
            assert_eq!(items, expected, "{order:?}");
            seen += 1;
        };
        check(&order);
        while i < 4 {
            if c[i] < i {
                order.swap(if i % 2 == 0 { 0 } else { c[i] }, i);
                check(&order);
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        assert_eq!(seen, 24);
    }

    #[test]
    fn long_lists_sort_correctly() {
        // Past the standard sort's small-input path, with many ties.
        let mut items: Vec<u32> = (0..5000u32).map(|i| (i * 7919) % 997).collect();
        let mut expected = items.clone();
        expected.sort();
        sort(&mut items);
        assert_eq!(items, expected);
    }
}
