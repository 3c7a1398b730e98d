//! `Model::predict` allocates nothing once its per-thread buffers have grown to
//! the text size: counted with a global allocator wrapper, on this thread only.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use sentiment::{Label, Model, Scratch, TrainConfig};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.with(|a| a.set(a.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.with(|a| a.set(a.get() + 1));
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|a| a.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(|a| a.get())
}

#[test]
fn predict_does_not_allocate_after_warm_up() {
    let data = [
        ("a great and wonderful film, loved it", Label::Positive),
        ("great acting and a moving story", Label::Positive),
        ("an awful and boring film, hated it", Label::Negative),
        ("awful acting and a dull story", Label::Negative),
    ];
    let model = Model::train(data, &TrainConfig { min_df: 1, threads: 1, ..TrainConfig::default() }).unwrap();
    let long = "A wonderful film!<br /><br />Great acting, but the story is a bit dull. ".repeat(40);
    let texts = [long.as_str(), "awful", "Great, great, GREAT.", "Ünïcode ΟΔΟΣ café"];

    // The counter works: a Vec allocates.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 10]))) > 0);

    for t in texts {
        model.predict(t); // grows this thread's buffers
    }
    let n = allocations_in(|| {
        for _ in 0..100 {
            for t in texts {
                std::hint::black_box(model.predict(t));
            }
        }
    });
    assert_eq!(n, 0, "allocations in 400 predictions");

    let mut scratch = Scratch::default();
    model.predict_with(&long, &mut scratch);
    let n = allocations_in(|| {
        std::hint::black_box(model.predict_with(&long, &mut scratch));
    });
    assert_eq!(n, 0, "allocations in predict_with");
}
