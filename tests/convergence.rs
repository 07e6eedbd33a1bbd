//! Measured orders of convergence: a wrong coefficient in any tableau lowers the order.
//!
//! Every method integrates `y' = y cos t`, `y(0) = 1` (exact `exp(sin t)`) over `[0, T]` with
//! constant steps `T/n` and `T/2n`; the order is `log2(err_n / err_2n)`, which must lie within
//! ±0.2 of the nominal order. Adaptive methods are held to constant steps by `first_step =
//! max_step = h` with tolerances so loose that no step is rejected. `T` and `n` are chosen per
//! method so that both errors lie in the asymptotic range and well above round-off (the
//! error of `y cos t` changes sign with `T`, which a poor choice turns into a spurious order).

mod problems;

use odegen::prelude::*;
use odegen::{EmbeddedRk, FixedRk};
use problems::ExpSin;

/// Runs to `t_end` in exactly `n` accepted steps (none rejected) and returns the error.
fn run<St: Stepper<f64, 1>>(mut st: St, t_end: f64, n: usize) -> f64 {
    while !st.is_finished() {
        st.step().expect("step");
    }
    assert_eq!(st.t(), t_end);
    assert_eq!(st.stats().n_rejected, 0);
    assert_eq!(st.stats().n_accepted, n);
    (st.y()[0] - ExpSin::exact(t_end)).abs()
}

fn fixed_error<const ST: usize, M: odegen::explicit::FixedMethod<ST>>(t: f64, n: usize) -> f64 {
    let st: FixedRk<_, f64, 1, ST, M> = FixedRk::new(ExpSin, 0.0, [1.0], t, t / n as f64).unwrap();
    run(st, t, n)
}

fn constant_step_settings(t: f64, n: usize) -> Settings<f64, 1> {
    let h = t / n as f64;
    Settings::new(Tolerances::new(1.0, 1e300))
        .first_step(h)
        .max_step(h)
}

fn embedded_error<const ST: usize, M: odegen::explicit::EmbeddedMethod<ST>>(
    t: f64,
    n: usize,
) -> f64 {
    let st: EmbeddedRk<_, f64, 1, ST, M> =
        EmbeddedRk::new(ExpSin, 0.0, [1.0], t, constant_step_settings(t, n)).unwrap();
    run(st, t, n)
}

fn dop853_error(t: f64, n: usize) -> f64 {
    run(
        Dop853::new(ExpSin, 0.0, [1.0], t, constant_step_settings(t, n)).unwrap(),
        t,
        n,
    )
}

fn assert_order(name: &str, nominal: f64, t: f64, n: usize, err: impl Fn(f64, usize) -> f64) {
    let (e1, e2) = (err(t, n), err(t, 2 * n));
    let order = (e1 / e2).log2();
    eprintln!("{name:>14}: T = {t}, n = {n:4}, err = {e1:.3e} -> {e2:.3e}, measured order {order:.3} (nominal {nominal})");
    assert!(
        e2 > 1e-13,
        "{name}: errors reach round-off, pick fewer steps"
    );
    assert!(
        (order - nominal).abs() <= 0.2,
        "{name}: measured order {order:.3}, nominal {nominal}"
    );
}

#[test]
fn fixed_step_methods_converge_at_their_order() {
    use odegen::explicit::*;
    assert_order("Euler", 1.0, 2.0, 200, fixed_error::<1, EulerMethod>);
    assert_order("Midpoint", 2.0, 2.0, 100, fixed_error::<2, MidpointMethod>);
    assert_order("Rk4", 4.0, 2.0, 40, fixed_error::<4, ClassicalRk4>);
    assert_order("Gill", 4.0, 2.0, 40, fixed_error::<4, GillMethod>);
    assert_order(
        "ThreeEighths",
        4.0,
        2.0,
        48,
        fixed_error::<4, ThreeEighthsMethod>,
    );
    assert_order("Luther", 6.0, 2.0, 16, fixed_error::<7, LutherMethod>);
}

#[test]
fn embedded_pairs_converge_at_their_order() {
    use odegen::explicit::*;
    assert_order("Rk23", 3.0, 2.0, 50, embedded_error::<4, BogackiShampine>);
    assert_order("Dopri5", 5.0, 2.0, 30, embedded_error::<7, DormandPrince>);
    assert_order(
        "HighamHall54",
        5.0,
        4.0,
        40,
        embedded_error::<7, HighamHall>,
    );
    assert_order("Tsit5", 5.0, 4.0, 40, embedded_error::<7, Tsitouras>);
    // Not first-same-as-last: y_{n+1} from its weights, f there once the step is accepted.
    // Fehlberg chose the fourth-order formula's leading error term small, so the next term
    // shows at coarse steps (4.30 from n = 40, 4.20 from 80, 4.13 from 160).
    assert_order("Rkf45", 4.0, 2.0, 160, embedded_error::<6, Fehlberg>);
    assert_order("Dop853", 8.0, 2.0, 6, dop853_error);
}
