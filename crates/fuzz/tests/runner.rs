//! The runner catches what it promises to: a panic, an input that holds
//! more than its target allows, and one that asks for more than the hard cap.

use std::hint::black_box;

use pycontainer_fuzz::runner::{self, Budget};
use pycontainer_fuzz::{Memory, Target};

const SMALL: Memory = Memory {
    fixed: 1 << 20,
    per_byte: 0,
};

fn target(name: &'static str, check: fn(&[u8]) -> Result<(), String>) -> &'static Target {
    Box::leak(Box::new(Target {
        name,
        seed_files: &[],
        seeds: || vec![b"seed".to_vec()],
        dictionary: &[],
        grammar: None,
        check,
        memory: SMALL,
        smoke_cases: 10,
    }))
}

fn failure(t: &'static Target) -> String {
    match runner::run(t, 1, Budget::Cases(10), None) {
        Ok(report) => panic!("{} passed: {report:?}", t.name),
        Err(f) => {
            assert_eq!(f.input, b"seed");
            f.what
        }
    }
}

#[test]
fn a_panic_is_reported_with_its_input() {
    let what = failure(target("test-panic", |_| panic!("boom")));
    assert!(what.contains("panicked: boom"), "{what}");
}

#[test]
fn holding_more_than_the_target_allows_is_reported() {
    let what = failure(target("test-holds", |_| {
        black_box(vec![1u8; 4 << 20]);
        Ok(())
    }));
    assert!(what.starts_with("held "), "{what}");
}

#[test]
fn a_request_past_the_hard_cap_is_stopped_and_reported() {
    let what = failure(target("test-bomb", |_| {
        black_box(Vec::<u8>::with_capacity(1 << 30));
        Ok(())
    }));
    assert!(what.contains("past the"), "{what}");
}

#[test]
fn a_failed_property_is_reported() {
    let what = failure(target("test-property", |_| Err("wrong".to_owned())));
    assert_eq!(what, "wrong");
}
