//! The cost of event tracking: the same integrations with and without event functions, with
//! Dormand–Prince 5(4) ([`Dopri5`]) and DOP853 ([`Dop853`]) at `rtol = 1e-8`, `atol = 1e-10`.
//!
//! - **SciPy's cannon** (the `solve_ivp` documentation's example; `examples/cannon.rs`):
//!   `x'' = −0.5`, `(x, v)(0) = (0, 10)` over `[0, 40]`, with the events `hit_ground` (`x = 0`
//!   falling, terminal; exact time 40, the end of the interval) and `apex` (`v = 0`, exact time
//!   20) declared with `#[ode_system(events(...))]`.
//! - **Bouncing ball**: `x'' = −9.81` dropped from `x = 10` at rest; the floor event `x = 0`
//!   falling with [`EventAction::ResetState`] (`v ← −0.8 v`), over `[0, 10]`: 7 bounces, each
//!   a root location, a cut step and a restart of the method (a new starting step). Without
//!   events the same ball falls over one flight, `[0, √(2·10/9.81)]`, so the ball's rows are
//!   compared per step, not per integration.
//!
//! Variants, each a complete integration from a fresh stepper:
//!
//! 1. *setup*: the stepper's constructor alone (`f(t0)` and Hairer's starting-step selection
//!    `HINIT`, 2 evaluations): the fixed cost inside every other row;
//! 2. *plain loop*: `while !st.is_finished() { st.step()? }`, no events;
//! 3. *run(NoEvents)*: the allocation-free driver [`run`] with the empty event set (`M = 0`) and
//!    the no-op handler `()`: shows what the driver itself costs;
//! 4. *run(never)*: [`run`] with event functions that never cross zero on the run (the cannon:
//!    `x + 1000` and `v + 1000`, as many as its real events; the ball's flight: `x + 1000`).
//!    The step sequence is the one of rows 2–3 (same `nfev`, checked), and no step holds a
//!    crossing, so the difference to row 3 is exactly the tracker's work in steps where no event
//!    fires: per step, [`EventTracker::after_step`] evaluates the event functions at the step's
//!    end and once more for the directional difference `ġ ≈ (g(t, y) − g(t − δ, y − δ f))/δ`,
//!    compares signs, and keeps the end's `t, y, f, g, ġ` for the next step;
//! 5. *run(events)*: [`run`] with the real events: the totals including root location by Brent's
//!    method on the dense output (R. P. Brent, *Algorithms for Minimization without
//!    Derivatives*, 1973, ch. 4), the terminal cut, and for the ball the restarts;
//! 6. (cannon) `solve_ivp` and `solve_ivp_with_events`, the allocating SciPy-style drivers
//!    (every accepted step stored), for scale.
//!
//! The target (from the event-handling issue): "less than 10% extra time when no event fires
//! in a step". It is judged on the stepping time, the fixed setup taken out:
//! `(t_never − t_NoEvents) / (t_NoEvents − t_setup)`; the ratio of the whole integrations,
//! setup included, is printed beside it. Both problems have polynomial solutions that the
//! methods integrate exactly up to rounding, so their steps grow as fast as the controller
//! allows and the integrations are short (5–7 steps without events): the right-hand side is
//! two stores, which makes this the worst case for the relative overhead (every fixed cost of
//! the tracker weighs as much as it can against the step). On the cannon the terminal
//! `hit_ground` lies exactly at the end of the interval: it is reported only if the computed
//! `x(40)` is negative; the first lines of the output say which events fired. DOP853 computes
//! its 3 extra dense-output stages only when an event is located in a step, so its `nfev`
//! with real events exceeds the event-free count by 3 per such step.
//!
//! Each timed call reads its inputs through `black_box` and runs one monomorphic loop of `n`
//! integrations behind a single dynamic call. Criterion's groups come first; then a summary
//! gives the median time per integration from 2000 interleaved batches of about 20 µs each
//! (so a change of machine load affects all variants alike), `nfev`, accepted/rejected steps,
//! the events that fired, the time per step, and the ratios and verdict.
//!
//! Run with `cargo bench -p odegen-peers --bench events` (about 35 s).

use criterion::Criterion;
use odegen::prelude::*;
use odegen_peers::{batched_medians_per_call, Batching};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// SciPy's cannon: `x' = v`, `v' = −0.5`.
#[ode_system(events(hit_ground(direction = falling, terminal), apex))]
fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -0.5]
}
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

const CANNON_Y0: [f64; 2] = [0.0, 10.0];
const CANNON_T1: f64 = 40.0;

/// Two event functions that never reach zero on the cannon's path (`0 ≤ x ≤ 100`,
/// `|v| ≤ 10`): only the tracker's per-step work, never a crossing.
struct CannonNever;

impl EventSet<2, 2> for CannonNever {
    #[inline]
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) {
        *g = [y[0] + 1000.0, y[1] + 1000.0];
    }
}

/// A ball in free fall: `x' = v`, `v' = −9.81`.
#[ode_system]
fn ball(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -9.81]
}

const BALL_Y0: [f64; 2] = [10.0, 0.0];
/// With the floor: long enough for 7 bounces, short of the accumulation at `9 √(20/g)`.
const BALL_T1: f64 = 10.0;

/// One flight of the ball from 10 m: `√(2·10/9.81)`.
fn ball_flight() -> f64 {
    (20.0f64 / 9.81).sqrt()
}

/// The floor: `x = 0` falling, the velocity reversed and scaled by the restitution 0.8.
struct Floor;

impl EventSet<2, 1> for Floor {
    #[inline]
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetState
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) {
        y[1] *= -0.8;
    }
}

/// A floor 1000 m below: never reached in one flight from 10 m.
struct FloorNever;

impl EventSet<2, 1> for FloorNever {
    #[inline]
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0] + 1000.0;
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
}

const RTOL: f64 = 1e-8;
const ATOL: f64 = 1e-10;

fn tolerances() -> Tolerances<f64, 2> {
    Tolerances::new(black_box(RTOL), black_box(ATOL))
}

/// The work of one integration.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counts {
    nfev: usize,
    accepted: usize,
    rejected: usize,
    /// Occurrences reported.
    events: usize,
    /// Where the integration ended.
    t_end: f64,
}

fn counts<St: Stepper<f64, 2>>(st: &St, events: usize, t_end: f64) -> Counts {
    let s = st.stats();
    Counts {
        nfev: s.nfev,
        accepted: s.n_accepted,
        rejected: s.n_rejected,
        events,
        t_end,
    }
}

/// The constructor alone.
fn setup<St: Stepper<f64, 2>>(st: St) -> Counts {
    let t = st.t();
    counts(&st, 0, t)
}

/// The plain stepping loop.
fn plain<St: Stepper<f64, 2>>(mut st: St) -> Counts {
    while !st.is_finished() {
        st.step().expect("step");
    }
    let t = st.t();
    counts(&st, 0, t)
}

/// The driver [`run`] with `events` and the no-op handler, counting the occurrences.
fn driven<St: Stepper<f64, 2>, E: EventSet<2, M>, const M: usize>(mut st: St, events: E) -> Counts {
    let mut n = 0;
    let end = run(&mut st, events, &mut (), &mut |_occ| n += 1).expect("run");
    let t = match end {
        Ending::Terminated { t, .. } => t,
        Ending::Finished => st.t(),
    };
    counts(&st, n, t)
}

fn from_result(sol: OdeResult<f64, 2>) -> Counts {
    let sol = sol.into_result().expect("solve_ivp");
    Counts {
        nfev: sol.stats.nfev,
        accepted: sol.stats.n_accepted,
        rejected: sol.stats.n_rejected,
        events: sol.t_events.iter().map(Vec::len).sum(),
        t_end: *sol.t.last().expect("final time"),
    }
}

/// Prints the cannon's occurrences with `st`, how the run ended and the final height.
fn cannon_occurrences<St: Stepper<f64, 2>>(name: &str, mut st: St) {
    let mut found = Vec::new();
    let end = run(&mut st, Cannon.events(), &mut (), &mut |o| {
        found.push(format!("{} at t = {}", CannonEvents::NAMES[o.event], o.t))
    });
    println!(
        "{name:<14} run(events) found: {}; ended {end:?} with x = {:e}",
        found.join(", "),
        st.y()[0]
    );
}

/// Which variant a row is (the summary's ratios need rows 1, 3 and 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Setup,
    Plain,
    NoEvents,
    Never,
    Events,
    SolveIvp,
    SolveIvpEvents,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Setup => "setup (constructor only)",
            Kind::Plain => "plain loop, no events",
            Kind::NoEvents => "run(NoEvents)",
            Kind::Never => "run(never crossing)",
            Kind::Events => "run(events)",
            Kind::SolveIvp => "solve_ivp",
            Kind::SolveIvpEvents => "solve_ivp_with_events",
        }
    }
    fn id(self) -> &'static str {
        match self {
            Kind::Setup => "setup",
            Kind::Plain => "plain",
            Kind::NoEvents => "run_no_events",
            Kind::Never => "run_never",
            Kind::Events => "run_events",
            Kind::SolveIvp => "solve_ivp",
            Kind::SolveIvpEvents => "solve_ivp_with_events",
        }
    }
}

/// `n` integrations; returns the counts of the last.
type Run<'a> = Box<dyn Fn(u64) -> Counts + 'a>;

fn repeat<'a>(f: impl Fn() -> Counts + 'a) -> Run<'a> {
    Box::new(move |n| {
        let mut c = f();
        for _ in 1..n {
            c = black_box(f());
        }
        c
    })
}

/// One problem with one method: its variants.
struct Group<'a> {
    id: String,
    title: String,
    /// What the event-free rows integrate over, for the notes.
    span_note: &'static str,
    rows: Vec<(Kind, Run<'a>)>,
}

/// The cannon's rows for one stepper type (`make(t1)` builds it).
fn cannon_group<'a, St: Stepper<f64, 2> + 'a>(
    name: &str,
    method: Method,
    make: impl Fn() -> St + Copy + 'a,
) -> Group<'a> {
    let opts = move || {
        Options::new(method)
            .rtol(black_box(RTOL))
            .atol(black_box(ATOL))
    };
    Group {
        id: format!("cannon_{}", name.to_lowercase()),
        title: format!("cannon {name}"),
        span_note: "[0, 40]",
        rows: vec![
            (Kind::Setup, repeat(move || setup(make()))),
            (Kind::Plain, repeat(move || plain(make()))),
            (Kind::NoEvents, repeat(move || driven(make(), NoEvents))),
            (Kind::Never, repeat(move || driven(make(), CannonNever))),
            (
                Kind::Events,
                repeat(move || driven(make(), Cannon.events())),
            ),
            (
                Kind::SolveIvp,
                repeat(move || {
                    let span = (0.0, black_box(CANNON_T1));
                    from_result(
                        solve_ivp(&Cannon, span, black_box(CANNON_Y0), opts()).expect("solve_ivp"),
                    )
                }),
            ),
            (
                Kind::SolveIvpEvents,
                repeat(move || {
                    let span = (0.0, black_box(CANNON_T1));
                    let sol = solve_ivp_with_events(
                        &Cannon,
                        span,
                        black_box(CANNON_Y0),
                        opts(),
                        Cannon.events(),
                    );
                    from_result(sol.expect("solve_ivp_with_events"))
                }),
            ),
        ],
    }
}

/// The ball's rows: event-free over one flight (`make(flight)`), with the floor over
/// `[0, 10]` (`make(BALL_T1)`).
fn ball_group<'a, St: Stepper<f64, 2> + 'a>(
    name: &str,
    make: impl Fn(f64) -> St + Copy + 'a,
) -> Group<'a> {
    let flight = ball_flight();
    Group {
        id: format!("ball_{}", name.to_lowercase()),
        title: format!("ball {name}"),
        span_note: "one flight [0, 1.428]; run(events) over [0, 10]",
        rows: vec![
            (Kind::Setup, repeat(move || setup(make(flight)))),
            (Kind::Plain, repeat(move || plain(make(flight)))),
            (
                Kind::NoEvents,
                repeat(move || driven(make(flight), NoEvents)),
            ),
            (
                Kind::Never,
                repeat(move || driven(make(flight), FloorNever)),
            ),
            (Kind::Events, repeat(move || driven(make(BALL_T1), Floor))),
        ],
    }
}

fn main() {
    let cannon_y0 = || black_box(CANNON_Y0);
    let ball_y0 = || black_box(BALL_Y0);
    let t1 = || black_box(CANNON_T1);
    let groups = [
        cannon_group("Dopri5", Method::Rk45, move || {
            Dopri5::new(&Cannon, 0.0, cannon_y0(), t1(), tolerances()).expect("Dopri5")
        }),
        cannon_group("Dop853", Method::Dop853, move || {
            Dop853::new(&Cannon, 0.0, cannon_y0(), t1(), tolerances()).expect("Dop853")
        }),
        ball_group("Dopri5", move |t1| {
            Dopri5::new(&Ball, 0.0, ball_y0(), black_box(t1), tolerances()).expect("Dopri5")
        }),
        ball_group("Dop853", move |t1| {
            Dop853::new(&Ball, 0.0, ball_y0(), black_box(t1), tolerances()).expect("Dop853")
        }),
    ];

    println!("== event tracking: work of one integration (rtol = 1e-8, atol = 1e-10) ==");
    let outcomes: Vec<Vec<Counts>> = groups
        .iter()
        .map(|g| g.rows.iter().map(|(_, r)| r(1)).collect())
        .collect();
    for (g, outs) in groups.iter().zip(&outcomes) {
        for ((kind, _), c) in g.rows.iter().zip(outs) {
            println!(
                "{:<14} {:<26} nfev {:>4}  accepted {:>3}  rejected {:>2}  events {}  t_end {}",
                g.title,
                kind.label(),
                c.nfev,
                c.accepted,
                c.rejected,
                c.events,
                c.t_end
            );
        }
        // Rows 2-4 must be the identical step sequence for the overhead to mean anything.
        let by = |k: Kind| outs[g.rows.iter().position(|(r, _)| *r == k).expect("row")];
        let (p, z, n) = (by(Kind::Plain), by(Kind::NoEvents), by(Kind::Never));
        assert_eq!((p.nfev, p.accepted), (z.nfev, z.accepted), "{}", g.title);
        assert_eq!((p.nfev, p.accepted), (n.nfev, n.accepted), "{}", g.title);
        assert_eq!(n.events, 0, "{}: the never-crossing set fired", g.title);
    }
    // Which events fired, and how each run with events ended.
    cannon_occurrences(
        "cannon Dopri5",
        Dopri5::new(&Cannon, 0.0, CANNON_Y0, CANNON_T1, tolerances()).expect("Dopri5"),
    );
    cannon_occurrences(
        "cannon Dop853",
        Dop853::new(&Cannon, 0.0, CANNON_Y0, CANNON_T1, tolerances()).expect("Dop853"),
    );
    println!("(exact: apex at t = 20; hit_ground at t = 40, the end of the interval, found only if x(40) < 0 numerically)");
    println!();

    let mut crit = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(700))
        .configure_from_args()
        .without_plots();
    for g in &groups {
        let mut group = crit.benchmark_group(&g.id);
        for (kind, r) in &g.rows {
            group.bench_function(kind.id(), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    black_box(r(iters));
                    start.elapsed()
                })
            });
        }
        group.finish();
    }
    crit.final_summary();

    println!();
    println!("== summary: median time per integration, 2000 interleaved batches of ~20 us each ==");
    println!(
        "{:<14} {:<26} {:>10} {:>5} {:>7} {:>6} {:>9} {:>10} {:>11}",
        "problem",
        "variant",
        "median[us]",
        "nfev",
        "acc/rej",
        "events",
        "ns/step",
        "step ns*",
        "vs NoEvents"
    );
    let mut verdicts = Vec::new();
    for (g, outs) in groups.iter().zip(&outcomes) {
        let runs: Vec<&dyn Fn(u64) -> Counts> = g.rows.iter().map(|(_, r)| &**r).collect();
        let medians = batched_medians_per_call(
            &runs,
            Batching {
                probe: 200,
                batch_secs: 20e-6,
                warmup: 50,
                rounds: 2000,
            },
        );
        let at = |k: Kind| g.rows.iter().position(|(r, _)| *r == k).expect("row");
        let t_setup = medians[at(Kind::Setup)];
        let t_none = medians[at(Kind::NoEvents)];
        for (((kind, _), c), t) in g.rows.iter().zip(outs).zip(&medians) {
            let steps = (c.accepted + c.rejected) as f64;
            let (per_step, stepping) = if *kind == Kind::Setup {
                ("-".to_string(), "-".to_string())
            } else {
                (
                    format!("{:.1}", t / c.accepted as f64 * 1e9),
                    format!("{:.1}", (t - t_setup) / steps * 1e9),
                )
            };
            println!(
                "{:<14} {:<26} {:>10.3} {:>5} {:>7} {:>6} {:>9} {:>10} {:>10.3}x",
                g.title,
                kind.label(),
                t * 1e6,
                c.nfev,
                format!("{}/{}", c.accepted, c.rejected),
                c.events,
                per_step,
                stepping,
                t / t_none
            );
        }
        let t_plain = medians[at(Kind::Plain)];
        let t_never = medians[at(Kind::Never)];
        let t_events = medians[at(Kind::Events)];
        let c_none = outs[at(Kind::NoEvents)];
        let c_events = outs[at(Kind::Events)];
        let steps = (c_none.accepted + c_none.rejected) as f64;
        let extra = (t_never - t_none) / (t_none - t_setup);
        verdicts.push(format!(
            "{:<14} ({}) run(NoEvents)/plain {:.3}x; never-crossing events: +{:.1} ns per step \
             = {:+.1}% of the stepping time ({:+.1}% of the whole integration) => target \
             (< 10% extra when no event fires) {}",
            g.title,
            g.span_note,
            t_none / t_plain,
            (t_never - t_none) / steps * 1e9,
            100.0 * extra,
            100.0 * (t_never / t_none - 1.0),
            if extra < 0.10 { "MET" } else { "NOT MET" }
        ));
        verdicts.push(format!(
            "{:<14} real events: {} occurrences, nfev {} (vs {} without), {} accepted steps, \
             {:.2} us per integration, {:.1} ns per accepted step (plain loop: {:.1} ns)",
            "",
            c_events.events,
            c_events.nfev,
            c_none.nfev,
            c_events.accepted,
            t_events * 1e6,
            t_events / c_events.accepted as f64 * 1e9,
            t_plain / c_none.accepted as f64 * 1e9,
        ));
    }
    println!("(ns/step: median / accepted steps; step ns*: (median - setup) / attempted steps)");
    println!();
    println!("== target: less than 10% extra time when no event fires in a step ==");
    for v in &verdicts {
        println!("{v}");
    }
}
