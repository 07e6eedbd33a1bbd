//! The stepping API never touches the heap: a counting global allocator sees zero allocations
//! over whole integrations (construction, every step, dense output) of every method.
//!
//! The allocator counts per thread, so tests running in parallel do not disturb each other.
//! (Unsafe code is confined to this test: implementing `GlobalAlloc` requires it.)

mod problems;

use odegen::prelude::*;
use odegen::Stepper;
use problems::{Arenstorf, LotkaVolterra};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

/// Runs `integrate` and returns how many allocations it made, and its result.
fn count<T>(integrate: impl FnOnce() -> T) -> (usize, T) {
    let before = allocations();
    let out = integrate();
    (allocations() - before, out)
}

/// Steps to the end, evaluating dense output in every step and the monomial coefficients.
fn drive<St: Stepper<f64, N>, const N: usize>(mut st: St) -> (usize, [f64; N]) {
    let mut coeffs = [[0.0; N]; 8];
    let mut checksum = 0.0;
    while !st.is_finished() {
        st.step().expect("step");
        let mid = st.dense(st.t_prev() + 0.5 * st.h()).expect("dense");
        checksum += mid[0];
        let terms = st.dense_terms();
        st.dense_coefficients(&mut coeffs[..terms]);
        checksum += coeffs[0][0];
    }
    assert!(checksum.is_finite());
    (st.stats().n_accepted, *st.y())
}

/// A named integration returning its number of accepted steps.
type Case<'a> = Box<dyn Fn() -> usize + 'a>;

#[test]
fn no_method_allocates() {
    let lv = LotkaVolterra::SCIPY;
    let t1 = Arenstorf::PERIOD;
    let y0 = Arenstorf::Y0;
    let cases: [(&str, Case<'_>); 11] = [
        (
            "Rk23",
            Box::new(|| {
                drive(Rk23::new(&lv, 0.0, [10.0, 5.0], 15.0, Tolerances::new(1e-8, 1e-10)).unwrap())
                    .0
            }),
        ),
        (
            "Dopri5",
            Box::new(move || {
                drive(Dopri5::new(Arenstorf, 0.0, y0, t1, Tolerances::new(1e-8, 1e-10)).unwrap()).0
            }),
        ),
        (
            "HighamHall54",
            Box::new(move || {
                drive(
                    HighamHall54::new(Arenstorf, 0.0, y0, t1, Tolerances::new(1e-8, 1e-10))
                        .unwrap(),
                )
                .0
            }),
        ),
        (
            "Tsit5",
            Box::new(move || {
                drive(Tsit5::new(Arenstorf, 0.0, y0, t1, Tolerances::new(1e-8, 1e-10)).unwrap()).0
            }),
        ),
        (
            "Dop853",
            Box::new(move || {
                drive(Dop853::new(Arenstorf, 0.0, y0, t1, Tolerances::new(1e-8, 1e-10)).unwrap()).0
            }),
        ),
        (
            "Euler",
            Box::new(|| drive(Euler::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
        (
            "Midpoint",
            Box::new(|| drive(Midpoint::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
        (
            "Rk4",
            Box::new(|| drive(Rk4::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
        (
            "Gill",
            Box::new(|| drive(Gill::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
        (
            "ThreeEighths",
            Box::new(|| drive(ThreeEighths::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
        (
            "Luther",
            Box::new(|| drive(Luther::new(&lv, 0.0, [10.0, 5.0], 1.0, 1e-3).unwrap()).0),
        ),
    ];
    for (name, run) in &cases {
        let (allocs, steps) = count(run);
        eprintln!("{name:>13}: {steps:5} steps, {allocs} allocations");
        assert!(steps > 10, "{name}: the integration must actually run");
        assert_eq!(allocs, 0, "{name} allocated {allocs} times");
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guard against a counter that cannot fail: the driver, which grows output vectors,
    // does allocate.
    let (allocs, sol) = count(|| {
        solve_ivp(
            &LotkaVolterra::SCIPY,
            (0.0, 1.0),
            [10.0, 5.0],
            Options::default(),
        )
        .unwrap()
    });
    assert!(sol.success);
    assert!(allocs > 0);
}
