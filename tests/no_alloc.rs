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

/// A ball dropped from 10 m (g = 9.81) bouncing with restitution 0.8.
struct Ball;
impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -9.81];
    }
}

/// Event 0: the floor (`x = 0` falling), which reverses and damps the velocity; event 1: the
/// apex (`v = 0`, either way), only recorded.
struct BallEvents;
impl EventSet<2, 2> for BallEvents {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) {
        *g = [y[0], y[1]];
    }
    fn direction(&self, k: usize) -> Direction {
        if k == 0 {
            Direction::Falling
        } else {
            Direction::Both
        }
    }
    fn action(&self, k: usize) -> EventAction {
        if k == 0 {
            EventAction::ResetState
        } else {
            EventAction::Continue
        }
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) {
        y[1] *= -0.8;
    }
}

#[test]
fn run_with_events_and_a_normalizer_does_not_allocate() {
    let g = 9.81;
    let t1 = (20.0f64 / g).sqrt();
    // Bounces at t1 and t1 + 1.6 t1; apexes half a flight after each bounce.
    let bounces = [t1, 2.6 * t1];
    let apexes = [t1 + 0.8 * t1, 2.6 * t1 + 0.64 * t1];
    let exact = |t: f64| -> f64 {
        if t < bounces[0] {
            10.0 - 0.5 * g * t * t
        } else {
            let (tb, v) = if t < bounces[1] {
                (bounces[0], 0.8 * g * t1)
            } else {
                (bounces[1], 0.64 * g * t1)
            };
            let s = t - tb;
            v * s - 0.5 * g * s * s
        }
    };

    // Construction (outside the count): the stepper and a normaliser writing into an array.
    let mut points = [(0.0, 0.0, false); 16];
    let mut n_points = 0;
    let mut occurrences = [(0usize, 0.0); 8];
    let mut n_occ = 0;
    let mut st = Dop853::new(Ball, 0.0, [10.0, 0.0], 5.0, Tolerances::new(1e-10, 1e-12)).unwrap();
    let mut norm = StepNormalizer::new(
        0.5,
        NormalizerMode::Increment,
        NormalizerBounds::Both,
        |t: f64, y: &[f64; 2], last: bool| {
            points[n_points] = (t, y[0], last);
            n_points += 1;
        },
    )
    .unwrap();

    let (allocs, end) = count(|| {
        run(&mut st, BallEvents, &mut norm, &mut |occ| {
            occurrences[n_occ] = (occ.event, occ.t);
            n_occ += 1;
        })
    });
    assert_eq!(end.unwrap(), Ending::Finished);
    eprintln!(
        "run with 2 events and a normaliser: {} steps, {} occurrences, {} points, {allocs} \
         allocations",
        st.stats().n_accepted,
        n_occ,
        n_points
    );
    assert_eq!(allocs, 0, "run allocated {allocs} times");

    // It really ran: bounce, apex, bounce, apex at the closed-form times...
    let expected = [
        (0, bounces[0]),
        (1, apexes[0]),
        (0, bounces[1]),
        (1, apexes[1]),
    ];
    assert_eq!(n_occ, expected.len(), "{:?}", &occurrences[..n_occ]);
    for (&(k, t), (ek, et)) in occurrences.iter().zip(expected) {
        assert_eq!(k, ek);
        assert!((t - et).abs() < 1e-8, "event {k} at {t}, expected {et}");
    }
    // ...and the normaliser reported 0, 0.5, ..., 5 with the exact heights.
    assert_eq!(n_points, 11);
    for (i, &(t, x, last)) in points[..n_points].iter().enumerate() {
        assert!((t - 0.5 * i as f64).abs() < 1e-14, "{t}");
        assert!(
            (x - exact(t)).abs() < 1e-8,
            "x({t}) = {x}, exact {}",
            exact(t)
        );
        assert_eq!(last, i == 10);
    }
}

/// Robertson's chemical kinetics (stiff, nonlinear: the implicit methods re-evaluate and
/// refactor along the way), with its analytic Jacobian and sparsity pattern.
struct Robertson;
impl OdeSystem<3> for Robertson {
    fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        let r2 = 3e7 * y[1] * y[1];
        dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
        dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - r2;
        dy[2] = r2;
    }
}
impl Jacobian<3> for Robertson {
    fn jacobian(&self, _t: f64, y: &[f64; 3], jac: &mut [[f64; 3]; 3]) {
        *jac = [
            [-0.04, 1e4 * y[2], 1e4 * y[1]],
            [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
            [0.0, 6e7 * y[1], 0.0],
        ];
    }
}
impl Sparsity<3> for Robertson {
    const PATTERN: &'static [(usize, usize)] =
        &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 1)];
    const COLORS: [usize; 3] = [0, 1, 2];
    const N_COLORS: usize = 3;
}

/// `z' = λ (z − e^{it}) + i e^{it}`, `λ = −1000 + 10i`, over complex numbers.
struct ComplexStiff;
impl OdeSystem<1, odegen::num_complex::Complex64> for ComplexStiff {
    fn rhs(
        &self,
        t: f64,
        z: &[odegen::num_complex::Complex64; 1],
        dz: &mut [odegen::num_complex::Complex64; 1],
    ) {
        use odegen::num_complex::Complex64 as C;
        let e = C::new(0.0, t).exp();
        dz[0] = C::new(-1000.0, 10.0) * (z[0] - e) + C::i() * e;
    }
}

#[test]
fn stiff_methods_do_not_allocate() {
    use odegen::jacobian::{Colored, ConstantJacobian, WithJacobian};
    let y0 = [1.0, 0.0, 0.0];
    let tol = || Tolerances::new(1e-6, 1e-10);
    // The reference value of DETEST D2 at t = 40: y1 = 0.71582706871939.
    let y1_40 = 0.715_827_068_719_39;
    type StiffCase<'a> = Box<dyn Fn() -> (usize, [f64; 3]) + 'a>;
    let cases: [(&str, StiffCase<'_>); 12] = [
        (
            "Rodas5P (analytic)",
            Box::new(|| {
                drive(Rodas5P::new(WithJacobian(Robertson), 0.0, y0, 40.0, tol()).unwrap())
            }),
        ),
        (
            "Rodas5P (FD, FD ∂f/∂t)",
            Box::new(|| drive(Rodas5P::new(Robertson, 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Rodas4 (coloured)",
            Box::new(|| drive(Rodas4::new(Colored(Robertson), 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Rosenbrock23 (analytic)",
            Box::new(|| {
                drive(Rosenbrock23::new(WithJacobian(Robertson), 0.0, y0, 40.0, tol()).unwrap())
            }),
        ),
        (
            "Radau5 (FD)",
            Box::new(|| drive(Radau5::new(Robertson, 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Radau5 (analytic)",
            Box::new(|| drive(Radau5::new(WithJacobian(Robertson), 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Radau5 (coloured)",
            Box::new(|| drive(Radau5::new(Colored(Robertson), 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "AdaptiveRadau (analytic)",
            Box::new(|| {
                let tight = Tolerances::new(1e-11, 1e-15);
                drive(AdaptiveRadau::new(WithJacobian(Robertson), 0.0, y0, 40.0, tight).unwrap())
            }),
        ),
        (
            "AdaptiveRadau (coloured)",
            Box::new(|| {
                drive(AdaptiveRadau::new(Colored(Robertson), 0.0, y0, 40.0, tol()).unwrap())
            }),
        ),
        (
            "Bdf (FD)",
            Box::new(|| drive(Bdf::new(Robertson, 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Bdf (analytic)",
            Box::new(|| drive(Bdf::new(WithJacobian(Robertson), 0.0, y0, 40.0, tol()).unwrap())),
        ),
        (
            "Bdf (coloured)",
            Box::new(|| drive(Bdf::new(Colored(Robertson), 0.0, y0, 40.0, tol()).unwrap())),
        ),
    ];
    for (name, run) in &cases {
        let (allocs, (steps, y)) = count(run);
        eprintln!("{name:>17}: {steps:5} steps, {allocs} allocations");
        assert!(steps > 10, "{name}: the integration must actually run");
        assert!((y[0] - y1_40).abs() < 1e-4, "{name}: {y:?}");
        assert_eq!(allocs, 0, "{name} allocated {allocs} times");
    }

    // A constant Jacobian on a linear system, and BDF over complex states.
    let (allocs, steps) = count(|| {
        drive(
            Radau5::new(
                ConstantJacobian::new(problems::Decay { k: 100.0 }, [[-100.0, 0.0], [0.0, -100.0]]),
                0.0,
                [1.0, 2.0],
                1.0,
                Tolerances::new(1e-8, 1e-12),
            )
            .unwrap(),
        )
        .0
    });
    assert!(steps > 10);
    assert_eq!(
        allocs, 0,
        "Radau5 (constant Jacobian) allocated {allocs} times"
    );
    let (allocs, (steps, z)) = count(|| {
        use odegen::num_complex::Complex64 as C;
        let mut st = Bdf::new(
            ComplexStiff,
            0.0,
            [C::new(2.0, 0.0)],
            1.0,
            Tolerances::new(1e-8, 1e-10),
        )
        .unwrap();
        let mut coeffs = [[C::new(0.0, 0.0); 1]; 8];
        let mut checksum = C::new(0.0, 0.0);
        while !st.is_finished() {
            st.step().unwrap();
            checksum += st.dense(st.t_prev() + 0.5 * st.h()).unwrap()[0];
            let terms = st.dense_terms();
            st.dense_coefficients(&mut coeffs[..terms]);
            checksum += coeffs[0][0];
        }
        assert!(checksum.re.is_finite());
        (st.stats().n_accepted, st.y()[0])
    });
    let exact = odegen::num_complex::Complex64::new(0.0, 1.0).exp();
    eprintln!("complex Bdf: {steps} steps, {allocs} allocations");
    assert!(steps > 10 && (z - exact).norm() < 1e-6, "{z}");
    assert_eq!(allocs, 0, "Bdf (complex) allocated {allocs} times");
    // Radau over complex states (three and seven stages: every complex pair solve) and over
    // dual states (the dual systems' second solves).
    for (min, max) in [(3, 3), (7, 7)] {
        use odegen::num_complex::Complex64 as C;
        let (allocs, (steps, z)) = count(|| {
            let tol = Tolerances::new(1e-8, 1e-10);
            let z0 = [C::new(2.0, 0.0)];
            let mut st =
                AdaptiveRadau::with_stages(ComplexStiff, 0.0, z0, 1.0, tol, min, max).unwrap();
            while !st.is_finished() {
                st.step().unwrap();
            }
            (st.stats().n_accepted, st.y()[0])
        });
        eprintln!("complex Radau ({min}..{max}): {steps} steps, {allocs} allocations");
        assert!(steps > 3 && (z - exact).norm() < 1e-6, "{z}");
        assert_eq!(allocs, 0, "Radau (complex) allocated {allocs} times");
    }
    let (allocs, (steps, y)) = count(|| {
        use odegen::num_dual::Dual64;
        let sys = DualDecay(Dual64::new(3.0, 1.0));
        let tol = Tolerances::new(1e-6, 1e-10);
        let mut st = Radau5::new(sys, 0.0, [Dual64::from(1.0)], 1.0, tol).unwrap();
        while !st.is_finished() {
            st.step().unwrap();
        }
        (st.stats().n_accepted, st.y()[0])
    });
    // y = e^{−k t}: ∂y/∂k = −t e^{−k t}.
    eprintln!("dual Radau5: {steps} steps, {allocs} allocations");
    assert!(steps > 3 && (y.eps + (-3.0f64).exp()).abs() < 1e-5, "{y:?}");
    assert_eq!(allocs, 0, "Radau5 (dual) allocated {allocs} times");
}

/// `y' = −k y` with `k` a dual number.
struct DualDecay(odegen::num_dual::Dual64);
impl OdeSystem<1, odegen::num_dual::Dual64> for DualDecay {
    fn rhs(
        &self,
        _t: f64,
        y: &[odegen::num_dual::Dual64; 1],
        dy: &mut [odegen::num_dual::Dual64; 1],
    ) {
        dy[0] = -self.0 * y[0];
    }
}

#[test]
fn run_with_events_does_not_allocate_for_the_stiff_methods() {
    // The ball of `run_with_events_and_a_normalizer_does_not_allocate`: bounces (resets) and
    // apexes, with a normaliser, through Radau5 and Bdf. (atol = 1e-10: with 1e-12 BDF stalls
    // after the first bounce, see stiff_features' `bdf_bouncing_ball_with_a_tight_atol_finishes`.)
    let g = 9.81;
    let t1 = (20.0f64 / g).sqrt();
    let expected = [
        (0, t1),
        (1, t1 + 0.8 * t1),
        (0, 2.6 * t1),
        (1, 2.6 * t1 + 0.64 * t1),
    ];
    let tol = || Tolerances::new(1e-10, 1e-10);
    check_stiff_ball_run(
        "Radau5",
        Radau5::new(Ball, 0.0, [10.0, 0.0], 5.0, tol()).unwrap(),
        &expected,
    );
    check_stiff_ball_run(
        "AdaptiveRadau",
        AdaptiveRadau::new(Ball, 0.0, [10.0, 0.0], 5.0, tol()).unwrap(),
        &expected,
    );
    check_stiff_ball_run(
        "Bdf",
        Bdf::new(Ball, 0.0, [10.0, 0.0], 5.0, tol()).unwrap(),
        &expected,
    );
}

fn check_stiff_ball_run<St: Stepper<f64, 2>>(name: &str, mut st: St, expected: &[(usize, f64)]) {
    let mut points = [(0.0, 0.0); 16];
    let mut n_points = 0;
    let mut occurrences = [(0usize, 0.0); 8];
    let mut n_occ = 0;
    let mut norm = StepNormalizer::new(
        0.5,
        NormalizerMode::Increment,
        NormalizerBounds::Both,
        |t: f64, y: &[f64; 2], _last: bool| {
            points[n_points] = (t, y[0]);
            n_points += 1;
        },
    )
    .unwrap();
    let (allocs, end) = count(|| {
        run(&mut st, BallEvents, &mut norm, &mut |occ| {
            occurrences[n_occ] = (occ.event, occ.t);
            n_occ += 1;
        })
    });
    assert_eq!(end.unwrap(), Ending::Finished, "{name}");
    eprintln!(
        "{name}: run with 2 events and a normaliser: {} steps, {n_occ} occurrences, {n_points} \
         points, {allocs} allocations",
        st.stats().n_accepted
    );
    assert_eq!(allocs, 0, "{name}: run allocated {allocs} times");
    assert_eq!(n_occ, expected.len(), "{name}: {:?}", &occurrences[..n_occ]);
    for (&(k, t), &(ek, et)) in occurrences.iter().zip(expected) {
        assert_eq!(k, ek, "{name}");
        assert!(
            (t - et).abs() < 1e-7,
            "{name}: event {k} at {t}, expected {et}"
        );
    }
    assert_eq!(n_points, 11, "{name}");
    assert!(st.stats().n_accepted > 4 && st.stats().njev >= 1);
}

/// Robertson through `#[ode_system]`, for the compile-time sparse solvers.
#[odegen::ode_system]
fn rober(_t: f64, y: [f64; 3]) -> [f64; 3] {
    [
        -0.04 * y[0] + 1e4 * y[1] * y[2],
        0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1],
        3e7 * y[1] * y[1],
    ]
}

#[test]
fn the_compile_time_sparse_solvers_do_not_allocate() {
    use odegen::implicit::{StaticSparseLu, StaticSparseRadauLu};
    use odegen::{Bdf, RadauIIA, Rodas5P};
    const M: usize = Rober::LU_NNZ;
    type Lu = StaticSparseLu<f64, 3, Rober, M>;
    type RadauLu<const P: usize> = StaticSparseRadauLu<f64, 3, Rober, M, P>;
    let y0 = [1.0, 0.0, 0.0];
    let tol = || Tolerances::new(1e-6, 1e-10);
    type Case<'a> = Box<dyn Fn() -> (usize, [f64; 3]) + 'a>;
    let cases: [(&str, Case<'_>); 4] = [
        (
            "Rodas5P",
            Box::new(|| {
                drive(Rodas5P::<_, 3, f64, Lu>::with_solver(Rober, 0.0, y0, 40.0, tol()).unwrap())
            }),
        ),
        (
            "Bdf",
            Box::new(|| {
                drive(
                    Bdf::<_, 3, f64, odegen::linalg::Inline, Lu>::with_solver(
                        Rober,
                        0.0,
                        y0,
                        40.0,
                        tol(),
                    )
                    .unwrap(),
                )
            }),
        ),
        (
            "Radau5",
            Box::new(|| {
                drive(
                    RadauIIA::<_, 3, f64, 3, RadauLu<0>>::with_storage(Rober, 0.0, y0, 40.0, tol())
                        .unwrap(),
                )
            }),
        ),
        (
            "AdaptiveRadau",
            Box::new(|| {
                drive(
                    RadauIIA::<_, 3, f64, 7, RadauLu<2>>::with_storage(Rober, 0.0, y0, 40.0, tol())
                        .unwrap(),
                )
            }),
        ),
    ];
    // The reference value of DETEST D2 at t = 40: y1 = 0.71582706871939.
    for (name, run) in &cases {
        let (allocs, (steps, y)) = count(run);
        eprintln!("{name:>13} (sparse): {steps:5} steps, {allocs} allocations");
        assert!(steps > 10, "{name}: the integration must actually run");
        assert!((y[0] - 0.7158270687).abs() < 1e-4, "{name}: {y:?}");
        assert_eq!(allocs, 0, "{name} allocated {allocs} times");
    }
}
