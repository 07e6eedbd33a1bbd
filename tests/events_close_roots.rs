//! Two roots of one event function closer together than one step.
//!
//! An event function that keeps its sign at both ends of a step may still have crossed zero
//! twice inside it. The tracker (module documentation of `ode_core::events`) catches that case
//! from the time derivative `ġ` at the step ends: when `g` moves towards zero at the start and
//! away from it at the end, it searches the dense output for a value of the other sign and
//! then locates both roots. These tests put two roots inside one step on purpose, prove from
//! the accepted steps that they did fall inside one step, and check both roots against closed
//! forms, with their directions.
//!
//! Problems:
//!
//! - the harmonic oscillator `x' = v`, `v' = −x`, `(x, v)(0) = (1, 0)`: `x = cos t`,
//!   `v = −sin t`. The event `g = x/√(x² + v²) − cos a` is `cos t − cos a` on the exact
//!   solution (the amplitude drops out, so the roots are as well conditioned as the phase),
//!   positive only on `(2πk − a, 2πk + a)`: roots `a` (falling) and then pairs `2πk − a`
//!   (rising), `2πk + a` (falling), `2a` apart;
//! - the parabola `x' = v`, `v' = −2`, `(x, v)(0) = (1 − c², 2c)`: `x = 1 − (t − c)²`, which
//!   every method of order ≥ 2 integrates exactly, with a cubic Hermite dense output that is
//!   exact too; `g = x − (1 − e²)` has the roots `c ± e`;
//! - the ramp `y' = 1`, `y(0) = 0`: `y = t` (exact for every method, Euler included), with
//!   `g = (y − c)⁴ − e⁴`, roots `c ± e`. Here `ġ = 4 (y − c)³` is far from linear over the
//!   step, so the first guess of the extremum (the zero of the linear interpolant of `ġ`)
//!   misses the dip and the golden-section search has to find it.

use odegen::prelude::*;
use std::f64::consts::TAU;

#[ode_system]
fn oscillator(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}

#[ode_system]
fn parabola(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -2.0]
}

#[ode_system]
fn ramp(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [1.0]
}

/// `g = x/√(x² + v²) − cos a`: `cos t − cos a` on the oscillator's exact solution.
struct NearCrest {
    cos_a: f64,
    direction: Direction,
}

impl EventSet<2, 1> for NearCrest {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0] / y[0].hypot(y[1]) - self.cos_a;
    }
    fn direction(&self, _k: usize) -> Direction {
        self.direction
    }
}

/// `g = x − (1 − e²)` on the parabola `x = 1 − (t − c)²`: roots `c ± e`.
struct ParabolaTop {
    e: f64,
    direction: Direction,
}

impl EventSet<2, 1> for ParabolaTop {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0] - (1.0 - self.e * self.e);
    }
    fn direction(&self, _k: usize) -> Direction {
        self.direction
    }
}

/// `g = (y − c)⁴ − e⁴` on the ramp `y = t`: roots `c ± e`.
struct QuarticWell {
    c: f64,
    e: f64,
    direction: Direction,
}

impl EventSet<1, 1> for QuarticWell {
    fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
        g[0] = (y[0] - self.c).powi(4) - self.e.powi(4);
    }
    fn direction(&self, _k: usize) -> Direction {
        self.direction
    }
}

/// What a `run` produced: the occurrences, the accepted step ends (`t0` first) and the ending.
struct Collected<const N: usize> {
    occurrences: Vec<Occurrence<f64, N>>,
    steps: Vec<f64>,
    ending: Ending<f64>,
}

fn collect<St, E, const N: usize, const M: usize>(mut st: St, events: E) -> Collected<N>
where
    St: Stepper<f64, N>,
    E: EventSet<N, M>,
{
    let mut occurrences = Vec::new();
    let mut steps = vec![st.t()];
    let ending = run(
        &mut st,
        events,
        &mut FnHandler(|s: &mut StepView<'_, f64, N>| steps.push(s.t_end())),
        &mut |o| occurrences.push(*o),
    )
    .expect("the integration succeeds");
    Collected {
        occurrences,
        steps,
        ending,
    }
}

/// The index `i` of the step `[steps[i], steps[i + 1]]` that holds `t` strictly inside.
fn step_holding(steps: &[f64], t: f64) -> Option<usize> {
    steps.windows(2).position(|w| w[0] < t && t < w[1])
}

/// The oscillator's pairs `2πk ± a`, `k = 1, 2, 3`, with `a` chosen from the accepted steps of
/// a run without events (events that neither stop nor reset leave the steps unchanged) so that
/// each pair lies strictly inside the step holding `2πk`. Returns the worst error of the roots
/// the smallest step that held a pair and `a`.
fn oscillator_pairs<St: Stepper<f64, 2>>(name: &str, make: impl Fn() -> St) -> (f64, f64, f64) {
    const T1: f64 = 3.0 * TAU + 1.0;
    let plain = collect(make(), NoEvents);
    let mut a = f64::INFINITY;
    for k in 1..=3 {
        let c = k as f64 * TAU;
        let i = step_holding(&plain.steps, c).expect("2πk is not a step end");
        a = a.min(0.5 * (c - plain.steps[i]).min(plain.steps[i + 1] - c));
    }
    assert!(
        a > 1e-4,
        "{name}: a step end lies too close to 2πk (a = {a})"
    );

    let got = collect(
        make(),
        NearCrest {
            cos_a: a.cos(),
            direction: Direction::Both,
        },
    );
    assert_eq!(got.ending, Ending::Finished, "{name}");
    assert_eq!(got.steps, plain.steps, "{name}: events changed the steps");
    let mut expected = vec![(a, Direction::Falling)];
    for k in 1..=3 {
        let c = k as f64 * TAU;
        expected.push((c - a, Direction::Rising));
        expected.push((c + a, Direction::Falling));
    }
    assert!(expected.iter().all(|&(t, _)| t < T1));
    assert_eq!(
        got.occurrences.len(),
        expected.len(),
        "{name}: a = {a}, found {:?}",
        got.occurrences.iter().map(|o| o.t).collect::<Vec<_>>()
    );
    let mut worst: f64 = 0.0;
    let mut smallest_step = f64::INFINITY;
    for (n, (occ, &(t, dir))) in got.occurrences.iter().zip(&expected).enumerate() {
        let err = (occ.t - t).abs();
        worst = worst.max(err);
        assert!(
            err < 1e-9,
            "{name}: root {n} at {} instead of {t} (error {err:e})",
            occ.t
        );
        assert_eq!(occ.direction, dir, "{name}: root {n} at {t}");
        assert_eq!(occ.event, 0);
        assert_eq!(occ.count as usize, n + 1, "{name}: count of root {n}");
        // The state reported is the oscillator's there.
        assert!((occ.y[0] - t.cos()).abs() < 1e-8, "{name}: x at root {n}");
        assert!((occ.y[1] + t.sin()).abs() < 1e-8, "{name}: v at root {n}");
    }
    // Each pair fell inside one step.
    for k in 1..=3 {
        let c = k as f64 * TAU;
        let i = step_holding(&got.steps, c).unwrap();
        let (lo, hi) = (got.steps[i], got.steps[i + 1]);
        assert!(
            lo < c - a && c + a < hi,
            "{name}: pair {k} not inside one step"
        );
        smallest_step = smallest_step.min(hi - lo);
    }
    (worst, smallest_step, a)
}

#[test]
fn oscillator_pairs_inside_one_step_rk45() {
    let (worst, h, a) = oscillator_pairs("RK45", || {
        Dopri5::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            3.0 * TAU + 1.0,
            Tolerances::new(1e-10, 1e-12),
        )
        .unwrap()
    });
    println!("RK45: worst root error {worst:e}, smallest step holding a pair {h}, a = {a}");
}

#[test]
fn oscillator_pairs_inside_one_step_dop853() {
    let (worst, h, a) = oscillator_pairs("DOP853", || {
        Dop853::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            3.0 * TAU + 1.0,
            Tolerances::new(1e-12, 1e-14),
        )
        .unwrap()
    });
    println!("DOP853: worst root error {worst:e}, smallest step holding a pair {h}, a = {a}");
}

#[test]
fn oscillator_pairs_inside_one_step_tsit5() {
    let (worst, h, a) = oscillator_pairs("Tsit5", || {
        Tsit5::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            3.0 * TAU + 1.0,
            Tolerances::new(1e-10, 1e-12),
        )
        .unwrap()
    });
    println!("Tsit5: worst root error {worst:e}, smallest step holding a pair {h}, a = {a}");
}

#[test]
fn oscillator_pairs_inside_one_step_higham_hall() {
    let (worst, h, a) = oscillator_pairs("HighamHall54", || {
        HighamHall54::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            3.0 * TAU + 1.0,
            Tolerances::new(1e-10, 1e-12),
        )
        .unwrap()
    });
    println!("HighamHall54: worst root error {worst:e}, smallest step holding a pair {h}, a = {a}");
}

/// Loose tolerances make large steps: `a = 0.25` still falls into one DOP853 step
/// (asserted from the steps), and the roots, though the solution is only good to about
/// `1e-4`, must be found.
#[test]
fn oscillator_pair_with_loose_tolerances_dop853() {
    let a: f64 = 0.25;
    let make = || {
        Dop853::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            TAU + 1.0,
            Tolerances::new(1e-4, 1e-6),
        )
        .unwrap()
    };
    let got = collect(
        make(),
        NearCrest {
            cos_a: a.cos(),
            direction: Direction::Both,
        },
    );
    let i = step_holding(&got.steps, TAU).unwrap();
    assert!(
        got.steps[i] < TAU - a && TAU + a < got.steps[i + 1],
        "the pair is not inside one step: {:?}",
        got.steps
    );
    let ts: Vec<f64> = got.occurrences.iter().map(|o| o.t).collect();
    let dirs: Vec<Direction> = got.occurrences.iter().map(|o| o.direction).collect();
    assert_eq!(
        dirs,
        [Direction::Falling, Direction::Rising, Direction::Falling],
        "{ts:?}"
    );
    for (t, e) in ts.iter().zip([a, TAU - a, TAU + a]) {
        assert!((t - e).abs() < 1e-3, "{t} vs {e}");
    }
}

/// The parabola `x = 1 − (t − 2.2)²` with fixed steps of 0.5 and `e = 0.05`: the roots
/// `2.15` (rising) and `2.25` (falling) both lie in the step `[2, 2.5]`. Every method of order
/// at least 2 is exact here, so the roots must come out to rounding; each direction filter
/// keeps only its root.
#[test]
fn parabola_pair_inside_one_fixed_step() {
    let (c, e, h) = (2.2, 0.05, 0.5);
    let y0 = [1.0 - c * c, 2.0 * c];
    let mut worst: f64 = 0.0;
    for method in [
        Method::Midpoint,
        Method::Rk4,
        Method::Gill,
        Method::ThreeEighths,
        Method::Luther,
    ] {
        for (direction, expected) in [
            (Direction::Both, vec![c - e, c + e]),
            (Direction::Rising, vec![c - e]),
            (Direction::Falling, vec![c + e]),
        ] {
            let sol = solve_ivp_with_events(
                &Parabola,
                (0.0, 4.0),
                y0,
                Options::new(method).first_step(h),
                ParabolaTop { e, direction },
            )
            .unwrap();
            assert_eq!(sol.status, Status::Finished, "{method}");
            // The step [2, 2.5] is one step of the output.
            assert!(sol.t.contains(&2.0) && sol.t.contains(&2.5), "{method}");
            assert_eq!(sol.t.len(), 9, "{method}: steps {:?}", sol.t);
            let found = &sol.t_events[0];
            assert_eq!(
                found.len(),
                expected.len(),
                "{method} {direction:?}: {found:?}"
            );
            for (t, x) in found.iter().zip(&expected) {
                let err = (t - x).abs();
                worst = worst.max(err);
                assert!(err < 1e-12, "{method} {direction:?}: {t} vs {x}");
            }
            for y in &sol.y_events[0] {
                assert!(
                    (y[0] - (1.0 - e * e)).abs() < 1e-12,
                    "{method}: x = {}",
                    y[0]
                );
            }
        }
    }
    println!("parabola, fixed steps: worst root error {worst:e}");
}

/// The same with the allocation-free driver and RK4: the occurrences carry their directions.
#[test]
fn parabola_pair_directions_rk4() {
    let (c, e) = (2.2, 0.05);
    let st = Rk4::new(Parabola, 0.0, [1.0 - c * c, 2.0 * c], 4.0, 0.5).unwrap();
    let got = collect(
        st,
        ParabolaTop {
            e,
            direction: Direction::Both,
        },
    );
    assert_eq!(got.ending, Ending::Finished);
    assert_eq!(got.steps.len(), 9);
    let seen: Vec<(f64, Direction, u32)> = got
        .occurrences
        .iter()
        .map(|o| (o.t, o.direction, o.count))
        .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!((seen[0].0 - (c - e)).abs() < 1e-12);
    assert!((seen[1].0 - (c + e)).abs() < 1e-12);
    assert_eq!(seen[0].1, Direction::Rising);
    assert_eq!(seen[1].1, Direction::Falling);
    assert_eq!((seen[0].2, seen[1].2), (1, 2));
}

/// The quartic well `(t − 2.1)⁴ − e⁴` with fixed steps of 0.5: the pair `2.1 ± e` lies in
/// `[2, 2.5]`, off-centre, where the linear model of `ġ` puts the extremum near `2.008` and
/// the golden-section search must find the dip. Every fixed-step method, Euler included, is
/// exact on `y = t`.
#[test]
fn quartic_pair_needs_the_golden_section_search() {
    let c = 2.1;
    let mut worst: f64 = 0.0;
    for e in [0.05, 0.01, 0.002] {
        for method in [
            Method::Euler,
            Method::Midpoint,
            Method::Rk4,
            Method::Gill,
            Method::ThreeEighths,
            Method::Luther,
        ] {
            let sol = solve_ivp_with_events(
                &Ramp,
                (0.0, 4.0),
                [0.0],
                Options::new(method).first_step(0.5),
                QuarticWell {
                    c,
                    e,
                    direction: Direction::Both,
                },
            )
            .unwrap();
            assert_eq!(sol.t.len(), 9, "{method}");
            let found = &sol.t_events[0];
            assert_eq!(found.len(), 2, "{method}, e = {e}: {found:?}");
            // (y − c)⁴ = e⁴ has |dg/dt| = 4 e³ at the roots: rounding in g of about
            // 1e-16 moves them by 1e-16/(4 e³).
            let tol = 1e-15 / (4.0 * e * e * e) + 1e-13;
            for (t, x) in found.iter().zip([c - e, c + e]) {
                let err = (t - x).abs();
                worst = worst.max(err);
                assert!(err < tol, "{method}, e = {e}: {t} vs {x}");
            }
        }
    }
    println!("quartic well, fixed steps: worst root error {worst:e}");
}

/// The same well for the adaptive methods, forced into one large step: `y = t` has no local
/// error, so with `first_step(0.5)` and `max_step(0.5)` every step is 0.5 long.
#[test]
fn quartic_pair_adaptive_methods_with_large_steps() {
    let (c, e) = (2.1, 0.01);
    for method in Method::adaptive() {
        let sol = solve_ivp_with_events(
            &Ramp,
            (0.0, 4.0),
            [0.0],
            Options::new(method).first_step(0.5).max_step(0.5),
            QuarticWell {
                c,
                e,
                direction: Direction::Both,
            },
        )
        .unwrap();
        let i = step_holding(&sol.t, c).expect("c is not a step end");
        assert!(
            sol.t[i] < c - e && c + e < sol.t[i + 1],
            "{method}: the pair is not inside one step: {:?}",
            sol.t
        );
        let found = &sol.t_events[0];
        assert_eq!(found.len(), 2, "{method}: {found:?}");
        for (t, x) in found.iter().zip([c - e, c + e]) {
            assert!((t - x).abs() < 1e-9, "{method}: {t} vs {x}");
        }
    }
}
