//! `#[ode_system]` keeps `for` loops rolled (`loops = auto` for `N ≥ 64`, or `loops = rolled`):
//! each body below is written twice, once with `loops = rolled` and once with
//! `loops = unrolled`, and the two expansions must agree on everything they generate — the
//! pattern, its colouring, the compile-time LU structure, and the Jacobian, `∂f/∂p` and `∂f/∂t`
//! values at random states — to rounding: both evaluate the same derivative expressions, except
//! where a loop's symbolic read aliases another read of the same component at some iteration
//! (`y[i - 1]` and `y[0]` at `i = 1`), whose two partial derivatives the rolled code adds
//! separately. The unrolled form is the reference: it is the macro's
//! long-standing path, checked against hand-written Jacobians in `tests/jacobian.rs`. The
//! Brusselator is also checked against its hand-written Jacobian (`problems/brusselator2d.rs`).

#[path = "problems/brusselator2d.rs"]
mod brusselator2d;

use odegen::{ode_system, Jacobian, OdeSystem, ParamJacobian, Sparsity, TimeDerivative};

/// Defines the same body under several names, each with its own `#[ode_system(...)]`.
macro_rules! variants {
    ($(#[$attr:meta] $name:ident),+; fn $args:tt -> $ret:tt $body:block) => {
        $( #[$attr] fn $name $args -> $ret $body )+
    };
}

/// The same body rolled and unrolled.
macro_rules! twice {
    ($rolled:ident, $unrolled:ident, fn $args:tt -> $ret:tt $body:block) => {
        variants!(
            #[ode_system(loops = rolled)] $rolled,
            #[ode_system(loops = unrolled)] $unrolled;
            fn $args -> $ret $body
        );
    };
}

// The Brusselator of DifferentialEquations.jl's tutorial on an 8 × 8 periodic grid (as
// `problems/grids.rs` writes it): wrap-around indices by `%`, a forcing disc chosen by a real
// condition on `i as f64`, a time switch.
twice!(bruss_rolled, bruss_unrolled, fn(t: f64, uv: [f64; 128], a: f64, b: f64, alpha: f64) -> [f64; 128] {
    let mut d = [0.0; 128];
    let dx = 1.0 / 7.0;
    let c = alpha / (dx * dx);
    for i in 0..8 {
        for j in 0..8 {
            let ip = (i + 1) % 8;
            let im = (i + 7) % 8;
            let jp = (j + 1) % 8;
            let jm = (j + 7) % 8;
            let x = i as f64 * dx;
            let y = j as f64 * dx;
            let disc = if (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) <= 0.01 { 1.0 } else { 0.0 };
            let forcing = if t >= 1.1 { 5.0 * disc } else { 0.0 };
            let u = uv[i + 8 * j];
            let v = uv[64 + i + 8 * j];
            let lap_u = uv[im + 8 * j] + uv[ip + 8 * j] + uv[i + 8 * jp] + uv[i + 8 * jm] - 4.0 * u;
            let lap_v = uv[64 + im + 8 * j] + uv[64 + ip + 8 * j] + uv[64 + i + 8 * jp] + uv[64 + i + 8 * jm] - 4.0 * v;
            d[i + 8 * j] = c * lap_u + b + u * u * v - (a + 1.0) * u + forcing;
            d[64 + i + 8 * j] = c * lap_v + a * u - u * u * v;
        }
    }
    d
});

// The 2-D heat equation with Dirichlet boundaries: conditions on both indices split the loops
// into 3 × 3 runs; a local accumulated inside the body.
// (`jacobian = fd` takes the rolled analysis's pattern: the dependencies only.)
variants!(
    #[ode_system(loops = rolled)] heat2d_rolled,
    #[ode_system(loops = unrolled)] heat2d_unrolled,
    #[ode_system(jacobian = fd, loops = rolled)] heat2d_fd;
    fn(_t: f64, u: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    let c = 121.0;
    for i in 0..10 {
        for j in 0..10 {
            let mut s = -4.0 * u[i + 10 * j];
            if i > 0 { s += u[i - 1 + 10 * j]; }
            if i < 9 { s += u[i + 1 + 10 * j]; }
            if j > 0 { s += u[i + 10 * (j - 1)]; }
            if j < 9 { s += u[i + 10 * (j + 1)]; }
            d[i + 10 * j] = c * s;
        }
    }
    d
});

// A chain written in several loops and statements: `=` then `+=`/`-=` into the same rows from a
// second loop, an inclusive range, a top-level write after the loops, a non-zero initial value,
// a concrete state read inside a loop, nonlinear terms, parameters and the time.
twice!(chain_rolled, chain_unrolled, fn(t: f64, y: [f64; 70], k: f64, w: [f64; 2]) -> [f64; 70] {
    let mut d = [1.0; 70];
    d[3] = w[0] * y[5];
    for i in 4..=69 {
        d[i] = -k * y[i] * (1.0 + 0.1 * y[i].sin()) + w[1] * (t * (i as f64)).cos();
    }
    for i in 1..69 {
        let flux = k * (y[i - 1] - y[i]).powi(3) / (1.0 + y[0] * y[0]);
        d[i] += flux;
        d[i - 1] -= flux * (i as f64) / 70.0;
        d[i + 1] += 0.5 * y[(i * 7) % 70].exp();
    }
    d[0] += y[69] * y[1];
    d
});

// Two species in an outer loop (a run per species by `if s == 0`), an inner carried sum
// unrolled inside the rolled body, and a `% n` stencil.
variants!(
    #[ode_system(loops = rolled)] species_rolled,
    #[ode_system(loops = unrolled)] species_unrolled,
    #[ode_system(jacobian = dual, loops = rolled)] species_dual;
    fn(_t: f64, y: [f64; 80], a: f64) -> [f64; 80] {
    let mut d = [0.0; 80];
    for s in 0..2 {
        for i in 0..40 {
            let k = 40 * s + i;
            let mut acc = 0.0;
            for m in 0..3 {
                acc += (m as f64 + 1.0) * y[40 * s + (i + m) % 40];
            }
            let other = y[40 * (1 - s) + i];
            d[k] = if s == 0 { a * acc - other * y[k] } else { acc / a + other * y[k] };
        }
    }
    d
});

/// A deterministic pseudo-random state in `[0.5, 1.5)`.
fn state<const N: usize>(seed: u64) -> [f64; N] {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    core::array::from_fn(|_| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        0.5 + (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// Equal to a few units in the last place (and zero exactly where the other is zero).
fn close(a: f64, b: f64, what: impl Fn() -> String) {
    if b == 0.0 {
        assert_eq!(a, 0.0, "{}", what());
    } else {
        assert!(
            (a - b).abs() <= 8.0 * f64::EPSILON * b.abs(),
            "{}: {a} vs {b}",
            what()
        );
    }
}

/// Everything the two expansions generate agrees, at several states and times.
fn agree<const N: usize, const P: usize, R, U>(rolled: &R, unrolled: &U)
where
    R: Jacobian<N> + ParamJacobian<N, P> + TimeDerivative<N> + Sparsity<N>,
    U: Jacobian<N> + ParamJacobian<N, P> + TimeDerivative<N> + Sparsity<N>,
{
    assert_eq!(R::PATTERN, U::PATTERN);
    assert_eq!(R::COLORS, U::COLORS);
    assert_eq!(R::N_COLORS, U::N_COLORS);
    for seed in 0..4 {
        let y = state::<N>(seed);
        for t in [0.0, 0.7, 2.0] {
            let (mut f1, mut f2) = ([0.0; N], [0.0; N]);
            rolled.rhs(t, &y, &mut f1);
            unrolled.rhs(t, &y, &mut f2);
            assert_eq!(f1, f2);
            let mut j1 = Box::new([[0.0; N]; N]);
            let mut j2 = Box::new([[0.0; N]; N]);
            rolled.jacobian(t, &y, &mut j1);
            unrolled.jacobian(t, &y, &mut j2);
            for i in 0..N {
                for j in 0..N {
                    close(j1[i][j], j2[i][j], || {
                        format!("∂f_{i}/∂y_{j}, seed {seed}, t = {t}")
                    });
                }
            }
            let (mut p1, mut p2) = ([[0.0; P]; N], [[0.0; P]; N]);
            rolled.param_jacobian(t, &y, &mut p1);
            unrolled.param_jacobian(t, &y, &mut p2);
            for i in 0..N {
                for k in 0..P {
                    close(p1[i][k], p2[i][k], || {
                        format!("∂f_{i}/∂p_{k}, seed {seed}, t = {t}")
                    });
                }
            }
            let (mut d1, mut d2) = ([0.0; N], [0.0; N]);
            rolled.time_derivative(t, &y, &mut d1);
            unrolled.time_derivative(t, &y, &mut d2);
            for i in 0..N {
                close(d1[i], d2[i], || format!("∂f_{i}/∂t, seed {seed}, t = {t}"));
            }
        }
    }
}

#[test]
fn brusselator_rolled_equals_unrolled() {
    agree::<128, 3, _, _>(
        &BrussRolled::new(3.4, 1.0, 10.0),
        &BrussUnrolled::new(3.4, 1.0, 10.0),
    );
    assert_eq!(BrussRolled::LU_NNZ, BrussUnrolled::LU_NNZ);
}

#[test]
fn heat2d_rolled_equals_unrolled() {
    agree::<100, 0, _, _>(&Heat2dRolled, &Heat2dUnrolled);
}

#[test]
fn chain_rolled_equals_unrolled() {
    agree::<70, 3, _, _>(
        &ChainRolled::new(0.8, [1.3, -0.4]),
        &ChainUnrolled::new(0.8, [1.3, -0.4]),
    );
}

#[test]
fn species_rolled_equals_unrolled() {
    agree::<80, 1, _, _>(&SpeciesRolled::new(1.7), &SpeciesUnrolled::new(1.7));
}

/// The rolled Brusselator against the hand-written one of `problems/brusselator2d.rs` (its
/// analytic entries, component layout `u: i + n j`, `v: n² + i + n j`).
#[test]
fn rolled_brusselator_matches_the_hand_written_jacobian() {
    let hand = brusselator2d::Brusselator2d::<128>::new(8);
    let sys = BrussRolled::new(3.4, 1.0, 10.0);
    for seed in 0..3 {
        let y = state::<128>(seed);
        let (mut f1, mut f2) = ([0.0; 128], [0.0; 128]);
        sys.rhs(2.0, &y, &mut f1);
        hand.rhs(2.0, &y, &mut f2);
        for (a, b) in f1.iter().zip(&f2) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
        let mut jac = Box::new([[0.0; 128]; 128]);
        sys.jacobian(2.0, &y, &mut jac);
        let mut entries = 0;
        hand.newton_jacobian_entries(2.0, &y, &f2, &mut |i, j, v| {
            entries += 1;
            assert!(
                (jac[i][j] - v).abs() <= 1e-12 * v.abs().max(1.0),
                "({i}, {j}): {} vs {v}",
                jac[i][j]
            );
        });
        assert_eq!(entries, BrussRolled::NNZ);
    }
}

#[test]
fn rolled_patterns_serve_finite_differences_and_dual_numbers() {
    assert_eq!(Heat2dFd::PATTERN, Heat2dUnrolled::PATTERN);
    assert_eq!(Heat2dFd::N_COLORS, Heat2dUnrolled::N_COLORS);
    assert_eq!(SpeciesDual::PATTERN, SpeciesUnrolled::PATTERN);
    let y = state::<100>(7);
    let mut exact = Box::new([[0.0; 100]; 100]);
    Heat2dUnrolled.jacobian(0.0, &y, &mut exact);
    let mut fd = Box::new([[0.0; 100]; 100]);
    Heat2dFd.jacobian(0.0, &y, &mut fd);
    for i in 0..100 {
        for j in 0..100 {
            // Central differences of a linear f: exact but for rounding of 121 · u / h.
            assert!((fd[i][j] - exact[i][j]).abs() <= 1e-5 * 484.0, "({i}, {j})");
        }
    }
    let y = state::<80>(3);
    let mut exact = Box::new([[0.0; 80]; 80]);
    SpeciesUnrolled::new(1.7).jacobian(0.0, &y, &mut exact);
    let mut dual = Box::new([[0.0; 80]; 80]);
    SpeciesDual::new(1.7).jacobian(0.0, &y, &mut dual);
    for i in 0..80 {
        for j in 0..80 {
            close(dual[i][j], exact[i][j], || format!("dual ({i}, {j})"));
        }
    }
}
