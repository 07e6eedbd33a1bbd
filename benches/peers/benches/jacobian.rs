//! The Jacobian `J_ij = ∂f_i/∂y_j` that `#[ode_system]` derives symbolically, against
//! forward-mode automatic differentiation (num-dual 0.15) and central finite differences, on
//! three systems of 3, 8 and 20 equations, each at a state its solution actually visits.
//!
//! - **Robertson** (H. H. Robertson, "The solution of a set of reaction rate equations", in
//!   *Numerical Analysis: An Introduction*, 1966), at `y(40)` of DETEST problem D2 (Enright &
//!   Pryce, *ACM TOMS* 13 (1987), Alg. 648):
//!   `y1' = −0.04 y1 + 10⁴ y2 y3`, `y2' = 0.04 y1 − 10⁴ y2 y3 − 3·10⁷ y2²`, `y3' = 3·10⁷ y2²`.
//! - **HIRES**, the "High Irradiance RESponse" of photomorphogenesis (E. Schäfer, *J. Math.
//!   Biology* 2 (1975) 41–56; Hairer & Wanner, *Solving Ordinary Differential Equations II*,
//!   2nd ed., §IV.10), at `y(321.8122)`, the reference solution of the Test Set for IVP Solvers
//!   (F. Mazzia and C. Magherini, release 2.4, Univ. of Bari, 2008, problem `hires`).
//! - **Lorenz-96** with 20 components and forcing `F = 8` (E. N. Lorenz, "Predictability — a
//!   problem partly solved", ECMWF Seminar on Predictability, 1996):
//!   `x_i' = (x_{i+1} − x_{i−2}) x_{i−1} − x_i + F`, indices modulo 20; evaluated on the
//!   attractor, at `x(20)` from `x = F + 0.01 e_0`, computed at start-up with DOP853.
//!
//! Methods, each producing the full `N × N` Jacobian at the same state:
//!
//! 1. *generated*: `Jacobian::jacobian` of the `#[ode_system]` struct (and, as num-dual also
//!    returns `f`, the fused `rhs_and_jacobian`; and `jacobian_nonzeros`, which writes the
//!    `nnz` structural non-zeros only: about what a `jacobian` that left the structural zeros
//!    of a kept buffer alone would cost);
//! 2. *num-dual*: `num_dual::jacobian` with `DualSVec64<N>` over nalgebra's `SVector`, one
//!    forward pass with vector duals, through the right-hand side written once more generically
//!    over `D: DualNum` ([`DualRhs`]); it returns its own `(f, J)` (column-major `SMatrix`), so
//!    no conversion to `[[f64; N]; N]` is charged to it. Also `Dual64`, one pass per column
//!    (what `#[ode_system(jacobian = dual)]` does), which is faster on these systems;
//! 3. *dense FD*: central differences, `2 N` right-hand-side evaluations,
//!    `h_j = ε^{1/3} max(|y_j|, 1)` ([`odegen_peers::central_jacobian`]);
//! 4. *coloured FD*: `odegen::finite_diff::colored_jacobian` with the generated `Sparsity`
//!    (`2 · N_COLORS` evaluations), reported when the pattern has fewer colours than columns.
//!
//! The error column is the largest entrywise relative deviation ([`max_rel_error`]) of each
//! method from the other analytic one: generated against num-dual, num-dual against generated,
//! finite differences against the generated Jacobian.
//!
//! Each timed call reads the state, the time and the system through `black_box`, and the
//! Jacobian it writes is passed to `black_box`, so nothing is constant-folded or hoisted out of
//! the loop; each method runs as one monomorphic loop of `n` calls behind a single dynamic call.
//! Criterion's groups come first; then a summary gives, per method, the median time per
//! Jacobian from 300 interleaved batches of about 20 µs each, the ratio to the generated
//! `jacobian`, and the verdict on the targets "generated ≥ 3× faster than num-dual and ≥ 5×
//! faster than finite differences": the first against num-dual's Jacobian (`num_dual::jacobian`),
//! with hand-seeded `Dual64` passes shown beside it; the second against the faster of dense and
//! coloured differences. Each verdict line also prints `2 N t_f / t_J`, the time of dense FD's
//! evaluations of `f` alone over the generated Jacobian's: on a 3-equation system one `f` costs
//! nearly as much as a whole Jacobian (both are a handful of stores), so that quotient, and with
//! it the FD ratio, stays near 4–5 there whatever the Jacobian's code.
//!
//! Run with `cargo bench -p odegen-peers --bench jacobian` (about 40 s).

// Published reference states keep all their digits.
#![allow(clippy::excessive_precision)]

use criterion::Criterion;
use nalgebra::{SMatrix, SVector};
use num_dual::{Dual64, DualNum, DualSVec64};
use odegen::finite_diff::colored_jacobian;
use odegen::prelude::*;
use odegen_peers::{batched_medians_per_call, central_jacobian, max_rel_error, Batching};
use std::hint::black_box;
use std::time::{Duration, Instant};

// Robertson and HIRES with their published references, shared with the tests and examples:
// `Robertson` at `ROBERTSON_T40` (DETEST D2, Enright & Pryce, ACM TOMS Alg. 648, unscaled),
// `Hires` at `HIRES_T_END` (the Test Set's reference solution: RADAU5 on a Cray C90, unit
// roundoff 1.01e-19, `rtol = atol = 1.1e-18`).
#[path = "../../../tests/problems/stiff.rs"]
mod stiff_systems;
use stiff_systems::{Hires, Robertson, HIRES_T_END as HIRES_Y, ROBERTSON_T40 as ROBERTSON_Y};

/// Lorenz-96 with 20 components and forcing `forcing`.
#[ode_system]
fn lorenz96(_t: f64, x: [f64; 20], forcing: f64) -> [f64; 20] {
    let mut dx = [0.0; 20];
    for i in 0..20 {
        dx[i] = (x[(i + 1) % 20] - x[(i + 18) % 20]) * x[(i + 19) % 20] - x[i] + forcing;
    }
    dx
}

/// The right-hand side once more, generic over num-dual's scalars (and `f64`, which the
/// start-up check compares with the `#[ode_system]` function).
trait DualRhs<const N: usize> {
    fn rhs_dual<D: DualNum<Primitive = f64> + Copy>(&self, y: [D; N]) -> [D; N];
}

impl DualRhs<3> for Robertson {
    #[inline]
    fn rhs_dual<D: DualNum<Primitive = f64> + Copy>(&self, y: [D; 3]) -> [D; 3] {
        let [y1, y2, y3] = y;
        let r2 = y2 * y3 * 1.0e4;
        let r3 = y2 * y2 * 3.0e7;
        [y1 * -0.04 + r2, y1 * 0.04 - r2 - r3, r3]
    }
}

impl DualRhs<8> for Hires {
    #[inline]
    fn rhs_dual<D: DualNum<Primitive = f64> + Copy>(&self, y: [D; 8]) -> [D; 8] {
        let [y1, y2, y3, y4, y5, y6, y7, y8] = y;
        let r = y6 * y8 * 280.0;
        [
            y1 * -1.71 + y2 * 0.43 + y3 * 8.32 + 0.0007,
            y1 * 1.71 - y2 * 8.75,
            y3 * -10.03 + y4 * 0.43 + y5 * 0.035,
            y2 * 8.32 + y3 * 1.71 - y4 * 1.12,
            y5 * -1.745 + y6 * 0.43 + y7 * 0.43,
            -r + y4 * 0.69 + y5 * 1.71 - y6 * 0.43 + y7 * 0.69,
            r - y7 * 1.81,
            -r + y7 * 1.81,
        ]
    }
}

impl DualRhs<20> for Lorenz96 {
    #[inline]
    fn rhs_dual<D: DualNum<Primitive = f64> + Copy>(&self, x: [D; 20]) -> [D; 20] {
        std::array::from_fn(|i| {
            (x[(i + 1) % 20] - x[(i + 18) % 20]) * x[(i + 19) % 20] - x[i] + self.forcing
        })
    }
}

/// The generated `jacobian_nonzeros` (an inherent method whose output length is the system's
/// own `NNZ`), seen generically.
trait Nonzeros<const N: usize> {
    /// `n` calls of `jacobian_nonzeros` at `y`.
    fn nonzeros_loop(&self, y: &[f64; N], n: u64);
    /// `jacobian_nonzeros` at `y`, scattered into a dense matrix.
    fn nonzeros_dense(&self, y: &[f64; N]) -> [[f64; N]; N];
}

macro_rules! nonzeros {
    ($sys:ty, $n:literal) => {
        impl Nonzeros<$n> for $sys {
            fn nonzeros_loop(&self, y: &[f64; $n], n: u64) {
                let mut values = [0.0; <$sys>::NNZ];
                for _ in 0..n {
                    black_box(self).jacobian_nonzeros(black_box(0.0), black_box(y), &mut values);
                    black_box(&mut values);
                }
            }
            fn nonzeros_dense(&self, y: &[f64; $n]) -> [[f64; $n]; $n] {
                let mut values = [0.0; <$sys>::NNZ];
                self.jacobian_nonzeros(0.0, y, &mut values);
                let mut jac = [[0.0; $n]; $n];
                for (&(i, j), v) in <$sys as Sparsity<$n>>::PATTERN.iter().zip(values) {
                    jac[i][j] = v;
                }
                jac
            }
        }
    };
}
nonzeros!(Robertson, 3);
nonzeros!(Hires, 8);
nonzeros!(Lorenz96, 20);

/// num-dual's Jacobian of `sys` at `y`: one forward pass with `N`-vector duals.
#[inline]
fn num_dual_jacobian<Sys: DualRhs<N>, const N: usize>(
    sys: &Sys,
    y: &[f64; N],
) -> (SVector<f64, N>, SMatrix<f64, N, N>) {
    num_dual::jacobian(
        |x: SVector<DualSVec64<N>, N>| SVector::from(sys.rhs_dual(x.data.0[0])),
        &SVector::from(*y),
    )
}

/// num-dual's scalar duals, as `#[ode_system(jacobian = dual)]` uses them: one forward pass
/// per column with `Dual64`.
#[inline]
fn num_dual_columns<Sys: DualRhs<N>, const N: usize>(
    sys: &Sys,
    y: &[f64; N],
    jac: &mut [[f64; N]; N],
) {
    for j in 0..N {
        let seeded = std::array::from_fn(|i| Dual64::new(y[i], if i == j { 1.0 } else { 0.0 }));
        for (row, out) in jac.iter_mut().zip(sys.rhs_dual(seeded)) {
            row[j] = out.eps;
        }
    }
}

/// One way to compute the Jacobian: `run(n)` computes it `n` times in a monomorphic loop.
struct Method<'a> {
    label: &'static str,
    id: &'static str,
    run: Box<dyn Fn(u64) + 'a>,
    /// Largest relative deviation from the reference, and what the reference is.
    error: Option<(f64, &'static str)>,
}

/// A system at its state, with every method and one right-hand-side evaluation.
struct Case<'a> {
    name: &'static str,
    id: &'static str,
    n: usize,
    nnz: usize,
    n_colors: usize,
    methods: Vec<Method<'a>>,
    rhs: Box<dyn Fn(u64) + 'a>,
}

fn case<'a, Sys, const N: usize>(
    name: &'static str,
    id: &'static str,
    sys: &'a Sys,
    y: &'a [f64; N],
) -> Case<'a>
where
    Sys: Jacobian<N> + Sparsity<N> + DualRhs<N> + Nonzeros<N>,
{
    // The generic twin must be the same function as the one the macro saw.
    let (mut f, f_dual) = ([0.0; N], sys.rhs_dual::<f64>(*y));
    sys.rhs(0.0, y, &mut f);
    let f_scale = f.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let f_dev = f
        .iter()
        .zip(&f_dual)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        f_dev <= 1e-14 * f_scale,
        "{name}: generic right-hand side deviates by {f_dev:e}"
    );

    let mut generated = [[0.0; N]; N];
    sys.jacobian(0.0, y, &mut generated);
    let mut zeroed = [[0.0; N]; N];
    sys.jacobian_into_zeroed(0.0, y, &mut zeroed);
    let (mut fused_f, mut fused) = ([0.0; N], [[0.0; N]; N]);
    sys.rhs_and_jacobian(0.0, y, &mut fused_f, &mut fused);
    let (dual_f, dual_m) = num_dual_jacobian(sys, y);
    let dual: [[f64; N]; N] = std::array::from_fn(|i| std::array::from_fn(|j| dual_m[(i, j)]));
    assert_eq!(dual_f.data.0[0], f_dual, "{name}: num-dual's f");
    let mut columns = [[0.0; N]; N];
    num_dual_columns(sys, y, &mut columns);
    let sparse = sys.nonzeros_dense(y);
    let mut dense = [[0.0; N]; N];
    central_jacobian(sys, 0.0, y, &mut dense);
    let mut colored = [[0.0; N]; N];
    colored_jacobian(sys, 0.0, y, &mut colored);

    let mut methods = vec![
        Method {
            label: "generated jacobian",
            id: "generated",
            run: Box::new(move |n| {
                let mut jac = [[0.0; N]; N];
                for _ in 0..n {
                    black_box(sys).jacobian(black_box(0.0), black_box(y), &mut jac);
                    black_box(&mut jac);
                }
            }),
            error: Some((max_rel_error(&generated, &dual), "num-dual")),
        },
        Method {
            // What an implicit method calls between steps: its buffer keeps the zeros.
            label: "generated jacobian_into_zeroed",
            id: "generated_into_zeroed",
            run: Box::new(move |n| {
                let mut jac = [[0.0; N]; N];
                for _ in 0..n {
                    black_box(sys).jacobian_into_zeroed(black_box(0.0), black_box(y), &mut jac);
                    black_box(&mut jac);
                }
            }),
            error: Some((max_rel_error(&zeroed, &dual), "num-dual")),
        },
        Method {
            label: "generated rhs_and_jacobian",
            id: "generated_fused",
            run: Box::new(move |n| {
                let (mut dy, mut jac) = ([0.0; N], [[0.0; N]; N]);
                for _ in 0..n {
                    black_box(sys).rhs_and_jacobian(
                        black_box(0.0),
                        black_box(y),
                        &mut dy,
                        &mut jac,
                    );
                    black_box((&mut dy, &mut jac));
                }
            }),
            error: Some((max_rel_error(&fused, &dual), "num-dual")),
        },
        Method {
            label: "generated jacobian_nonzeros",
            id: "generated_nonzeros",
            run: Box::new(move |n| sys.nonzeros_loop(y, n)),
            error: Some((max_rel_error(&sparse, &dual), "num-dual")),
        },
        Method {
            label: "num-dual DualSVec64 (f and J)",
            id: "num_dual",
            run: Box::new(move |n| {
                for _ in 0..n {
                    black_box(num_dual_jacobian(black_box(sys), black_box(y)));
                }
            }),
            error: Some((max_rel_error(&dual, &generated), "generated")),
        },
        Method {
            label: "num-dual Dual64, N passes",
            id: "num_dual_columns",
            run: Box::new(move |n| {
                let mut jac = [[0.0; N]; N];
                for _ in 0..n {
                    num_dual_columns(black_box(sys), black_box(y), &mut jac);
                    black_box(&mut jac);
                }
            }),
            error: Some((max_rel_error(&columns, &generated), "generated")),
        },
        Method {
            label: "dense central FD (2N f)",
            id: "fd_dense",
            run: Box::new(move |n| {
                let mut jac = [[0.0; N]; N];
                for _ in 0..n {
                    central_jacobian(black_box(sys), black_box(0.0), black_box(y), &mut jac);
                    black_box(&mut jac);
                }
            }),
            error: Some((max_rel_error(&dense, &generated), "generated")),
        },
    ];
    if Sys::N_COLORS < N {
        methods.push(Method {
            label: "coloured central FD",
            id: "fd_colored",
            run: Box::new(move |n| {
                let mut jac = [[0.0; N]; N];
                for _ in 0..n {
                    colored_jacobian(black_box(sys), black_box(0.0), black_box(y), &mut jac);
                    black_box(&mut jac);
                }
            }),
            error: Some((max_rel_error(&colored, &generated), "generated")),
        });
    }
    Case {
        name,
        id,
        n: N,
        nnz: Sys::nnz(),
        n_colors: Sys::N_COLORS,
        methods,
        rhs: Box::new(move |n| {
            let mut dy = [0.0; N];
            for _ in 0..n {
                black_box(sys).rhs(black_box(0.0), black_box(y), &mut dy);
                black_box(&mut dy);
            }
        }),
    }
}

/// A point of Lorenz-96's attractor: `x(20)` from `x = F + 0.01 e_0`.
fn lorenz96_on_attractor(sys: &Lorenz96) -> [f64; 20] {
    let mut x0 = [sys.forcing; 20];
    x0[0] += 0.01;
    let tol = Tolerances::new(1e-10, 1e-10);
    let mut s = Dop853::new(sys, 0.0, x0, 20.0, tol).expect("Lorenz-96 Dop853");
    while !s.is_finished() {
        s.step().expect("Lorenz-96 step");
    }
    *s.y()
}

fn main() {
    let robertson = Robertson;
    let hires = Hires;
    let lorenz = Lorenz96 { forcing: 8.0 };
    let lorenz_x = lorenz96_on_attractor(&lorenz);
    let cases = [
        case("Robertson", "robertson_3", &robertson, &ROBERTSON_Y),
        case("HIRES", "hires_8", &hires, &HIRES_Y),
        case("Lorenz-96", "lorenz96_20", &lorenz, &lorenz_x),
    ];

    println!("== Jacobians: generated (#[ode_system]) vs num-dual vs central FD ==");
    println!("Lorenz-96 state x(20) on the attractor: {lorenz_x:.4?}");
    println!();

    let mut crit = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
        .without_plots();
    for c in &cases {
        let mut group = crit.benchmark_group(c.id);
        for m in &c.methods {
            group.bench_function(m.id, |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    (m.run)(iters);
                    start.elapsed()
                })
            });
        }
        group.finish();
    }
    crit.final_summary();

    println!();
    println!("== summary: median time per Jacobian, 300 interleaved batches of ~20 us each ==");
    println!(
        "{:<10} {:>3} {:>4} {:>7}  {:<30} {:>12} {:>10}  {:>10}  {:<10}",
        "system",
        "N",
        "nnz",
        "colours",
        "method",
        "median [ns]",
        "vs gen.",
        "max rel.err",
        "against"
    );
    let mut verdicts = Vec::new();
    for c in &cases {
        let mut runs: Vec<&dyn Fn(u64)> = c.methods.iter().map(|m| &*m.run).collect();
        runs.push(&*c.rhs);
        let medians = batched_medians_per_call(
            &runs,
            Batching {
                probe: 1_000,
                batch_secs: 20e-6,
                warmup: 20,
                rounds: 300,
            },
        );
        let generated = medians[0];
        for (m, t) in c.methods.iter().zip(&medians) {
            let (err, against) = m.error.unwrap_or((f64::NAN, "-"));
            println!(
                "{:<10} {:>3} {:>4} {:>7}  {:<30} {:>12.1} {:>9.2}x  {:>10.2e}  {:<10}",
                c.name,
                c.n,
                c.nnz,
                c.n_colors,
                m.label,
                t * 1e9,
                t / generated,
                err,
                against
            );
        }
        let rhs = medians[medians.len() - 1];
        println!(
            "{:<10} one f evaluation: {:.1} ns (dense FD = {} of them: {:.1} ns of f alone)",
            "",
            rhs * 1e9,
            2 * c.n,
            2.0 * c.n as f64 * rhs * 1e9
        );
        // The ratio of a method's time to the generated Jacobian's.
        let ratio = |id: &str| {
            c.methods
                .iter()
                .position(|m| m.id == id)
                .map(|k| medians[k] / generated)
        };
        let verdict = |ratio: f64, need: f64| {
            let met = if ratio >= need { "MET" } else { "NOT MET" };
            format!("{ratio:.1}x {met}")
        };
        // The num-dual target is judged against num-dual's Jacobian (`num_dual::jacobian`);
        // hand-seeded `Dual64` passes, which LLVM folds into straight-line code much like the
        // generated one on small systems, are reported beside it. The FD target is judged
        // against the faster of dense and coloured differences.
        let best = |a: Option<f64>, b: Option<f64>| a.into_iter().chain(b).fold(f64::NAN, f64::min);
        let dual = ratio("num_dual").unwrap_or(f64::NAN);
        let columns = ratio("num_dual_columns").unwrap_or(f64::NAN);
        let fd = best(ratio("fd_dense"), ratio("fd_colored"));
        if let Some(z) = ratio("generated_into_zeroed") {
            // The same targets for the call implicit methods make between steps.
            verdicts.push(format!(
                "{} (N = {}), jacobian_into_zeroed: vs num-dual {}; vs the faster FD {} \
                 [vs Dual64 passes {:.1}x]",
                c.name,
                c.n,
                verdict(dual / z, 3.0),
                verdict(fd / z, 5.0),
                columns / z,
            ));
        }
        verdicts.push(format!(
            "{} (N = {}): vs num-dual {} (>= 3x); vs the faster FD ({}) {} (>= 5x) \
             [vs Dual64 passes {:.1}x; the 2N evaluations of f alone / J = {:.1}x]",
            c.name,
            c.n,
            verdict(dual, 3.0),
            if ratio("fd_colored").is_some_and(|r| r == fd) {
                "coloured"
            } else {
                "dense"
            },
            verdict(fd, 5.0),
            columns,
            2.0 * c.n as f64 * rhs / generated,
        ));
    }
    println!();
    println!("== targets: generated jacobian at least 3x faster than num-dual, 5x than FD ==");
    for v in &verdicts {
        println!("{v}");
    }
}
