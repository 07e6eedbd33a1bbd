//! The step normaliser (Commons Math's `StepNormalizer`): fixed-interval output from variable
//! steps, for every mode and choice of bounds, forward and backward.

mod problems;

use odegen::prelude::*;
use odegen::Stepper;
use problems::Decay;
use NormalizerBounds::{Both, First, Last, Neither};
use NormalizerMode::{Increment, Multiples};

const DECAY: Decay = Decay { k: 1.0 };

/// A point as the fixed-step handler saw it: `(t, y, is_last)`.
type Point = (f64, f64, bool);

/// Integrates `y' = −y` from `y(t0) = e^{−t0}` to `t1` with DOP853 (rtol 1e-10, atol 1e-12)
/// through a normaliser (composed with another handler) and returns the points it reported.
fn normalized(mode: NormalizerMode, bounds: NormalizerBounds, t0: f64, t1: f64) -> Vec<Point> {
    let mut points = Vec::new();
    {
        let mut norm =
            StepNormalizer::new(0.25, mode, bounds, |t: f64, y: &[f64; 1], last: bool| {
                points.push((t, y[0], last))
            })
            .unwrap();
        let mut st =
            Dop853::new(DECAY, t0, [(-t0).exp()], t1, Tolerances::new(1e-10, 1e-12)).unwrap();
        run(
            &mut st,
            NoEvents,
            &mut (&mut norm, FnHandler(|_: &mut StepView<'_, f64, 1>| {})),
            &mut |_| {},
        )
        .unwrap();
        assert!(
            st.stats().n_accepted > 3,
            "several steps, not one per grid point"
        );
    }
    points
}

/// Checks the reported times against `expected`, the values against `e^{−t}`, and `is_last`
/// on the final point only; returns the worst value error.
fn check(name: &str, points: &[Point], expected: &[f64]) -> f64 {
    let times: Vec<f64> = points.iter().map(|p| p.0).collect();
    assert_eq!(
        times.len(),
        expected.len(),
        "{name}: {times:?} vs {expected:?}"
    );
    for (t, e) in times.iter().zip(expected) {
        assert!((t - e).abs() < 1e-14, "{name}: {times:?} vs {expected:?}");
    }
    let mut worst: f64 = 0.0;
    for (i, &(t, y, last)) in points.iter().enumerate() {
        assert_eq!(last, i + 1 == points.len(), "{name}: is_last at point {i}");
        worst = worst.max((y - (-t).exp()).abs());
    }
    assert!(worst < 1e-8, "{name}: value error {worst:e}");
    worst
}

#[test]
fn every_mode_and_bounds_forward() {
    // Span [0.1, 1.05], h = 0.25.
    // Increment grid t0 + k h: 0.35, 0.6, 0.85 inside the span (1.1 > 1.05 is past the end);
    //   First adds t0 = 0.1, Last adds the end 1.05 (not on the grid).
    // Multiples grid k h: 0.25, 0.5, 0.75, 1.0 inside (0 < 0.1 and 1.25 > 1.05 are outside);
    //   First adds 0.1, Last adds 1.05.
    let cases: [(NormalizerMode, NormalizerBounds, &[f64]); 8] = [
        (Increment, Neither, &[0.35, 0.6, 0.85]),
        (Increment, First, &[0.1, 0.35, 0.6, 0.85]),
        (Increment, Last, &[0.35, 0.6, 0.85, 1.05]),
        (Increment, Both, &[0.1, 0.35, 0.6, 0.85, 1.05]),
        (Multiples, Neither, &[0.25, 0.5, 0.75, 1.0]),
        (Multiples, First, &[0.1, 0.25, 0.5, 0.75, 1.0]),
        (Multiples, Last, &[0.25, 0.5, 0.75, 1.0, 1.05]),
        (Multiples, Both, &[0.1, 0.25, 0.5, 0.75, 1.0, 1.05]),
    ];
    for (mode, bounds, expected) in cases {
        let name = format!("{mode:?}/{bounds:?}");
        let worst = check(&name, &normalized(mode, bounds, 0.1, 1.05), expected);
        eprintln!("{name:>18}: worst |y − e^(−t)| = {worst:.1e}");
    }
}

#[test]
fn every_mode_and_bounds_backward() {
    // Span 1.05 → 0.1 (backward), h = 0.25.
    // Increment grid t0 − k h: 0.8, 0.55, 0.3 (0.05 is past the end 0.1); First adds 1.05,
    //   Last adds 0.1.
    // Multiples grid: the multiples of 0.25 met on the way down: 1.0, 0.75, 0.5, 0.25.
    let cases: [(NormalizerMode, NormalizerBounds, &[f64]); 8] = [
        (Increment, Neither, &[0.8, 0.55, 0.3]),
        (Increment, First, &[1.05, 0.8, 0.55, 0.3]),
        (Increment, Last, &[0.8, 0.55, 0.3, 0.1]),
        (Increment, Both, &[1.05, 0.8, 0.55, 0.3, 0.1]),
        (Multiples, Neither, &[1.0, 0.75, 0.5, 0.25]),
        (Multiples, First, &[1.05, 1.0, 0.75, 0.5, 0.25]),
        (Multiples, Last, &[1.0, 0.75, 0.5, 0.25, 0.1]),
        (Multiples, Both, &[1.05, 1.0, 0.75, 0.5, 0.25, 0.1]),
    ];
    for (mode, bounds, expected) in cases {
        let name = format!("backward {mode:?}/{bounds:?}");
        let worst = check(&name, &normalized(mode, bounds, 1.05, 0.1), expected);
        eprintln!("{name:>27}: worst |y − e^(−t)| = {worst:.1e}");
    }
}

#[test]
fn multiples_across_zero_backward() {
    // 0.3 → −0.6: multiples of 0.25 strictly inside are 0.25, 0, −0.25, −0.5.
    check(
        "Multiples/Both across 0",
        &normalized(Multiples, Both, 0.3, -0.6),
        &[0.3, 0.25, 0.0, -0.25, -0.5, -0.6],
    );
}

#[test]
fn an_end_point_on_the_grid_is_reported_once() {
    // [0.1, 1.0]: 1.0 = 4 × 0.25 is a multiple, and 0.25 + 3 × 0.25 = 1.0 an increment from
    // 0.25. It is reported once, as the last point, whatever the bounds.
    for bounds in [Neither, First, Last, Both] {
        let points = normalized(Multiples, bounds, 0.1, 1.0);
        let first: &[f64] = if matches!(bounds, First | Both) {
            &[0.1]
        } else {
            &[]
        };
        let expected: Vec<f64> = first
            .iter()
            .copied()
            .chain([0.25, 0.5, 0.75, 1.0])
            .collect();
        check(&format!("Multiples/{bounds:?}"), &points, &expected);
    }
    for bounds in [Neither, Last, Both] {
        let points = normalized(Increment, bounds, 0.25, 1.0);
        let first: &[f64] = if bounds == Both { &[0.25] } else { &[] };
        let expected: Vec<f64> = first.iter().copied().chain([0.5, 0.75, 1.0]).collect();
        check(&format!("Increment/{bounds:?}"), &points, &expected);
    }
    // The start on the grid (Multiples from 0.5) is reported once too, with First.
    check(
        "Multiples/First from 0.5",
        &normalized(Multiples, First, 0.5, 1.05),
        &[0.5, 0.75, 1.0],
    );
}

#[test]
fn steps_that_end_on_grid_points_report_them_once() {
    // Rk4 with h = 0.25 from 0 to 1: every step ends on a grid point.
    for (mode, bounds, expected) in [
        (Increment, Both, &[0.0, 0.25, 0.5, 0.75, 1.0][..]),
        (Multiples, Neither, &[0.25, 0.5, 0.75, 1.0][..]),
        (Increment, Last, &[0.25, 0.5, 0.75, 1.0][..]),
    ] {
        let mut points = Vec::new();
        let mut norm = StepNormalizer::new(0.25, mode, bounds, |t: f64, y: &[f64; 1], l: bool| {
            points.push((t, y[0], l))
        })
        .unwrap();
        let mut st = Rk4::new(DECAY, 0.0, [1.0], 1.0, 0.25).unwrap();
        run(&mut st, NoEvents, &mut norm, &mut |_| {}).unwrap();
        let times: Vec<f64> = points.iter().map(|p| p.0).collect();
        assert_eq!(times, expected, "{mode:?}/{bounds:?}");
        let lasts: Vec<bool> = points.iter().map(|p| p.2).collect();
        assert_eq!(lasts.iter().filter(|&&l| l).count(), 1);
        assert!(lasts[lasts.len() - 1]);
        // RK4 with h = 0.25: a global error of a few 1e-5 at most.
        for &(t, y, _) in &points {
            assert!((y - (-t).exp()).abs() < 1e-4, "{t}: {y}");
        }
    }
}

/// The event `y = 1/2` (at `t = ln 2` for `y' = −y`, `y(0) = 1`), terminal.
struct Half;
impl EventSet<1, 1> for Half {
    fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
        g[0] = y[0] - 0.5;
    }
    fn terminal(&self, _k: usize) -> Option<u32> {
        Some(1)
    }
}

#[test]
fn a_terminal_event_is_the_end() {
    // 0 → 5 stopped at ln 2 ≈ 0.693: grid 0.25, 0.5 inside; Last adds the stop time.
    let mut points = Vec::new();
    let mut norm = StepNormalizer::new(0.25, Increment, Last, |t: f64, y: &[f64; 1], l: bool| {
        points.push((t, y[0], l))
    })
    .unwrap();
    let mut st = Dopri5::new(DECAY, 0.0, [1.0], 5.0, Tolerances::new(1e-10, 1e-12)).unwrap();
    let end = run(&mut st, Half, &mut norm, &mut |_| {}).unwrap();
    let Ending::Terminated { t, .. } = end else {
        panic!("{end:?}")
    };
    assert!((t - std::f64::consts::LN_2).abs() < 1e-9);
    check("terminal", &points, &[0.25, 0.5, t]);
    assert!((points[2].1 - 0.5).abs() < 1e-9);
}

#[test]
fn a_normalizer_can_be_reused() {
    let mut points = Vec::new();
    let mut inits = Vec::new();
    struct Rec<'a>(&'a mut Vec<Point>, &'a mut Vec<(f64, f64)>);
    impl FixedStepHandler<f64, 1> for Rec<'_> {
        fn init(&mut self, t0: f64, _y0: &[f64; 1], t_bound: f64) {
            self.1.push((t0, t_bound));
        }
        fn handle_point(&mut self, t: f64, y: &[f64; 1], is_last: bool) {
            self.0.push((t, y[0], is_last));
        }
    }
    let mut norm =
        StepNormalizer::new(0.25, Increment, Both, Rec(&mut points, &mut inits)).unwrap();
    let tol = Tolerances::new(1e-10, 1e-12);
    let mut st = Tsit5::new(DECAY, 0.0, [1.0], 0.6, tol).unwrap();
    run(&mut st, NoEvents, &mut norm, &mut |_| {}).unwrap();
    let mut st = Tsit5::new(DECAY, 0.6, [(-0.6f64).exp()], 0.0, tol).unwrap();
    run(&mut st, NoEvents, &mut norm, &mut |_| {}).unwrap();
    assert_eq!(inits, [(0.0, 0.6), (0.6, 0.0)]);
    // Forward 0, 0.25, 0.5, 0.6 (last); backward 0.6, 0.35, 0.1, 0 (last).
    let (fwd, bwd) = points.split_at(4);
    check("reuse forward", fwd, &[0.0, 0.25, 0.5, 0.6]);
    check("reuse backward", bwd, &[0.6, 0.35, 0.1, 0.0]);
}

#[test]
fn an_invalid_interval_is_refused() {
    for h in [0.0, -0.25, f64::NAN, f64::INFINITY, -0.0] {
        let r = StepNormalizer::<f64, 1, _>::new(h, Increment, Both, |_: f64, _: &[f64; 1], _| {});
        assert!(
            matches!(r, Err(Error::InvalidOption { .. })),
            "h = {h} accepted"
        );
    }
    assert!(StepNormalizer::<f64, 1, _>::new(
        1e-300,
        Multiples,
        Neither,
        |_: f64, _: &[f64; 1], _| {}
    )
    .is_ok());
}

#[test]
fn an_empty_span_still_reports_the_initial_point() {
    // The rules: t0 is reported when the bounds include the first point, and the final report
    // has is_last = true. Over an empty span t0 is also the end: one point, (t0, y0, true).
    for bounds in [First, Last, Both] {
        let mut points = Vec::new();
        let mut norm = StepNormalizer::new(0.25, Increment, bounds, |t: f64, y: &[f64; 1], l| {
            points.push((t, y[0], l))
        })
        .unwrap();
        let mut st = Dopri5::new(DECAY, 0.5, [0.75], 0.5, Tolerances::new(1e-8, 1e-10)).unwrap();
        assert_eq!(
            run(&mut st, NoEvents, &mut norm, &mut |_| {}),
            Ok(Ending::Finished)
        );
        assert_eq!(points, [(0.5, 0.75, true)], "{bounds:?}");
    }
}
