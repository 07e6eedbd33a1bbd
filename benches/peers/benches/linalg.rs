//! odegen's stack LU ([`odegen::linalg::Lu`], row-major `[[S; N]; N]`, partial pivoting)
//! against nalgebra 0.35's LU of a static matrix (`SMatrix<S, N, N>::lu`, column-major,
//! partial pivoting), for `S = f64` and `S = Complex<f64>` and `N = 3, 8, 20, 50`.
//!
//! The matrix is what an implicit method factors: the iteration matrix `σ I − J`. `J` is a
//! deterministic dense "Jacobian" with entries `100 · u`, `u` uniform in `[−1, 1)` from a
//! 64-bit LCG; `σ = γ/h = 10³` for the real case and, for the complex case, the shift RADAU5
//! puts on its complex system at the same step, `σ = (α + iβ)/h` with `h = γ/10³`
//! (`γ ≈ 3.6378`, `α ± iβ ≈ 2.6811 ± 3.0504 i`, the eigenvalues of the inverse of Radau IIA's
//! coefficient matrix), so `σ ≈ 737 + 839 i`; `J` stays real, as in RADAU5. The right-hand
//! side `b` comes from the same LCG. Before any timing, both solutions are checked: the
//! relative residual `‖b − A x‖∞ / (‖A‖∞ ‖x‖∞)` of each below `10⁻¹³`, and the two solutions
//! equal to `10⁻¹²` relative.
//!
//! Two operations per case:
//!
//! - **factor + solve**: factor `A` and solve once, what a stepper does when its iteration
//!   matrix changes. odegen: `lu.factor_from(&a)` into a kept factorisation, then
//!   `lu.solve(&mut x)`; nalgebra: `a.lu()` on a copy of `a` (it consumes its matrix), then
//!   `lu.solve_mut(&mut x)`. Both copy the matrix once into the factors' storage.
//! - **solve**: one solve with an existing factorisation (in place, after copying `b` into
//!   `x`), what a Newton iteration does at every iterate.
//!
//! Every call reads the matrix, the right-hand side and (for solve only) the factorisation
//! through `black_box`, and its result goes to `black_box`, so nothing is hoisted or folded;
//! each operation runs as one monomorphic loop of `n` calls behind a single dynamic call.
//!
//! First a table of medians measured here: per operation, the median time per call over 2000
//! interleaved batches (each batch about 10 µs of calls, all 32 operations round-robin), and the
//! ratio `nalgebra / odegen` (above 1: odegen faster). Then criterion's groups
//! `factor_solve_{f64,c64}` and `solve_{f64,c64}` with ids `{odegen,nalgebra}/N`.
//!
//! The `rc` rows time [`odegen::linalg::RealComplexLu`], the pair `Radau5` factors: the real
//! matrix `(γ/h) I − J` of the `f64` rows and the complex one `((α + iβ)/h) I − J` of the
//! `c64` rows (the same `J`), factored and solved together; their nalgebra side is the real
//! and the complex `SMatrix::lu` of the same two matrices, one after the other. The `rc-bw`
//! rows do the same with `J` banded (`|i − j| ≤ w`), where `RealComplexLu` skips the zeros of
//! its factors and nalgebra's dense LU does not.
//!
//! Run with `cargo bench -p odegen-peers --bench linalg` (about a minute).

use criterion::{BenchmarkId, Criterion};
use nalgebra::{ComplexField, Const, DimMin, SMatrix, SVector};
use odegen::linalg::{Lu, RealComplexLu};
use odegen::num_complex::Complex64;
use odegen_peers::{batched_medians_per_call, Batching};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// `γ/h`: the diagonal shift of the real iteration matrix.
const GAMMA_OVER_H: f64 = 1e3;
/// Radau IIA (3 stages): the real eigenvalue `γ` of the inverse of its coefficient matrix...
const RADAU_GAMMA: f64 = 3.637_834_252_744_496;
/// ... and its complex pair `α ± iβ`.
const RADAU_ALPHA: f64 = 2.681_082_873_627_752;
const RADAU_BETA: f64 = 3.050_430_199_247_411;
/// Scale of the entries of `J`.
const J_SCALE: f64 = 100.0;

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    /// Uniform in `[−1, 1)`.
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// The scalars of both libraries: `f64` and `Complex<f64>`.
trait Field: odegen::Scalar + ComplexField<RealField = f64> {
    /// Short name for the criterion groups and the table.
    const NAME: &'static str;
    /// The diagonal shift `σ` of the iteration matrix `σ I − J`.
    fn shift() -> Self;
    /// A real number as this scalar.
    fn lift(r: f64) -> Self;
    /// A pseudo-random entry of the right-hand side.
    fn draw(rng: &mut Lcg) -> Self;
    /// The modulus.
    fn size(self) -> f64 {
        ComplexField::modulus(self)
    }
}

impl Field for f64 {
    const NAME: &'static str = "f64";
    fn shift() -> Self {
        GAMMA_OVER_H
    }
    fn lift(r: f64) -> Self {
        r
    }
    fn draw(rng: &mut Lcg) -> Self {
        rng.next()
    }
}

impl Field for Complex64 {
    const NAME: &'static str = "c64";
    fn shift() -> Self {
        Complex64::new(RADAU_ALPHA, RADAU_BETA) * (GAMMA_OVER_H / RADAU_GAMMA)
    }
    fn lift(r: f64) -> Self {
        Complex64::new(r, 0.0)
    }
    fn draw(rng: &mut Lcg) -> Self {
        Complex64::new(rng.next(), rng.next())
    }
}

/// The iteration matrix `σ I − J` (row-major) and a right-hand side.
fn problem<S: Field, const N: usize>() -> ([[S; N]; N], [S; N]) {
    let mut rng = Lcg(0x0DE6_E11A_u64 + N as u64);
    let mut a = [[S::lift(0.0); N]; N];
    for (i, row) in a.iter_mut().enumerate() {
        for (j, e) in row.iter_mut().enumerate() {
            *e = S::lift(-J_SCALE * rng.next());
            if i == j {
                *e += S::shift();
            }
        }
    }
    let mut b = [S::lift(0.0); N];
    for e in &mut b {
        *e = S::draw(&mut rng);
    }
    (a, b)
}

/// `‖b − A x‖∞ / (‖A‖∞ ‖x‖∞)`.
fn relative_residual<S: Field, const N: usize>(a: &[[S; N]; N], x: &[S; N], b: &[S; N]) -> f64 {
    let max = |v: &mut dyn Iterator<Item = f64>| v.fold(0.0, f64::max);
    let norm_a = max(&mut a.iter().map(|row| row.iter().map(|e| e.size()).sum()));
    let norm_x = max(&mut x.iter().map(|e| e.size()));
    let res = max(&mut a.iter().zip(b).map(|(row, &bi)| {
        let ax = row
            .iter()
            .zip(x)
            .fold(S::lift(0.0), |s, (&aij, &xj)| s + aij * xj);
        (bi - ax).size()
    }));
    res / (norm_a * norm_x)
}

/// One timed operation: `run(n)` performs it `n` times.
struct Op {
    lib: &'static str,
    run: Box<dyn Fn(u64)>,
}

/// The four operations (odegen and nalgebra, factor + solve and solve) of one scalar and size.
struct Case {
    scalar: &'static str,
    n: usize,
    factor_solve: [Op; 2],
    solve: [Op; 2],
}

fn case<S: Field, const N: usize>() -> Case
where
    Const<N>: DimMin<Const<N>, Output = Const<N>>,
{
    let (a, b) = problem::<S, N>();
    let na_a = SMatrix::<S, N, N>::from_fn(|i, j| a[i][j]);
    let na_b = SVector::<S, N>::from_fn(|i, _| b[i]);

    // Both solutions, checked before anything is timed.
    let lu = Lu::factor(a).expect("odegen: the iteration matrix is regular");
    let mut x = b;
    lu.solve(&mut x);
    let na_lu = na_a.lu();
    let mut na_x = na_b;
    assert!(na_lu.solve_mut(&mut na_x), "nalgebra: singular");
    let na_x_arr: [S; N] = std::array::from_fn(|i| na_x[i]);
    let name = format!("{} N={N}", S::NAME);
    for (lib, sol) in [("odegen", &x), ("nalgebra", &na_x_arr)] {
        let r = relative_residual(&a, sol, &b);
        assert!(r < 1e-13, "{name}: {lib} relative residual {r:e}");
    }
    let norm_x = x.iter().map(|e| e.size()).fold(0.0, f64::max);
    let diff = x
        .iter()
        .zip(&na_x_arr)
        .map(|(&p, &q)| (p - q).size())
        .fold(0.0, f64::max)
        / norm_x;
    assert!(
        diff < 1e-12,
        "{name}: solutions differ by {diff:e} (relative)"
    );

    let factor_solve = [
        Op {
            lib: "odegen",
            run: Box::new(move |n| {
                let mut lu = Lu::<S, N>::default();
                for _ in 0..n {
                    lu.factor_from(black_box(&a)).expect("odegen factor");
                    let mut x = *black_box(&b);
                    lu.solve(&mut x);
                    black_box(&x);
                }
            }),
        },
        Op {
            lib: "nalgebra",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let lu = (*black_box(&na_a)).lu();
                    let mut x = *black_box(&na_b);
                    black_box(lu.solve_mut(&mut x));
                    black_box(&x);
                }
            }),
        },
    ];
    let solve = [
        Op {
            lib: "odegen",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let mut x = *black_box(&b);
                    black_box(&lu).solve(&mut x);
                    black_box(&x);
                }
            }),
        },
        Op {
            lib: "nalgebra",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let mut x = *black_box(&na_b);
                    black_box(black_box(&na_lu).solve_mut(&mut x));
                    black_box(&x);
                }
            }),
        },
    ];
    Case {
        scalar: S::NAME,
        n: N,
        factor_solve,
        solve,
    }
}

/// Zeroes the entries of `J` (the off-diagonal ones of `σ I − J`) outside the band
/// `|i − j| ≤ w`: a banded Jacobian, as of a method-of-lines PDE.
fn banded<S: Field, const N: usize>(mut a: [[S; N]; N], w: usize) -> [[S; N]; N] {
    for (i, row) in a.iter_mut().enumerate() {
        for (j, e) in row.iter_mut().enumerate() {
            if i.abs_diff(j) > w {
                *e = S::lift(0.0);
            }
        }
    }
    a
}

/// The `rc` cases: odegen's [`RealComplexLu`] factoring and solving the real and the complex
/// iteration matrices of the same `J` together (what `Radau5` does at every new step size),
/// against nalgebra's real LU and complex LU of the same two matrices, one after the other.
/// With `band = Some(w)`, `J` is banded (label `rc-bw`).
fn pair_case<const N: usize>(band: Option<usize>) -> Case
where
    Const<N>: DimMin<Const<N>, Output = Const<N>>,
{
    let (a, b) = problem::<f64, N>();
    let (c, d) = problem::<Complex64, N>();
    let (a, c) = match band {
        Some(w) => (banded(a, w), banded(c, w)),
        None => (a, c),
    };
    let scalar = match band {
        None => "rc",
        Some(1) => "rc-b1",
        Some(2) => "rc-b2",
        Some(_) => "rc-band",
    };
    let (d_re, d_im): ([f64; N], [f64; N]) = (
        std::array::from_fn(|i| d[i].re),
        std::array::from_fn(|i| d[i].im),
    );
    let mut lu = RealComplexLu::<f64, N>::default();
    lu.factor_with(|i, j| (a[i][j], c[i][j]))
        .expect("odegen rc: the iteration matrices are regular");
    let (mut x, mut z_re, mut z_im) = (b, d_re, d_im);
    lu.solve(&mut x, &mut z_re, &mut z_im);
    let z: [Complex64; N] = std::array::from_fn(|i| Complex64::new(z_re[i], z_im[i]));
    // Checked before anything is timed, against nalgebra's solutions too.
    let na_a = SMatrix::<f64, N, N>::from_fn(|i, j| a[i][j]);
    let na_c = SMatrix::<Complex64, N, N>::from_fn(|i, j| c[i][j]);
    let na_b = SVector::<f64, N>::from_fn(|i, _| b[i]);
    let na_d = SVector::<Complex64, N>::from_fn(|i, _| d[i]);
    let (na_lu_a, na_lu_c) = (na_a.lu(), na_c.lu());
    let (mut na_x, mut na_z) = (na_b, na_d);
    assert!(na_lu_a.solve_mut(&mut na_x) && na_lu_c.solve_mut(&mut na_z));
    for (r, what) in [
        (relative_residual(&a, &x, &b), "real"),
        (relative_residual(&c, &z, &d), "complex"),
    ] {
        assert!(r < 1e-13, "{scalar} N={N}: {what} relative residual {r:e}");
    }
    let rel = |p: &[f64], q: &[f64]| {
        let norm = q.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        p.iter()
            .zip(q)
            .fold(0.0f64, |m, (u, v)| m.max((u - v).abs()))
            / norm
    };
    let na_z_re: Vec<f64> = na_z.iter().map(|v| v.re).collect();
    assert!(rel(&x, na_x.as_slice()) < 1e-12 && rel(&z_re, &na_z_re) < 1e-12);

    let factor_solve = [
        Op {
            lib: "odegen",
            run: Box::new(move |n| {
                let mut lu = RealComplexLu::<f64, N>::default();
                for _ in 0..n {
                    let (a, c) = (black_box(&a), black_box(&c));
                    lu.factor_with(|i, j| (a[i][j], c[i][j]))
                        .expect("odegen factor");
                    let (mut x, mut re, mut im) =
                        (*black_box(&b), *black_box(&d_re), *black_box(&d_im));
                    lu.solve(&mut x, &mut re, &mut im);
                    black_box((&x, &re, &im));
                }
            }),
        },
        Op {
            lib: "nalgebra",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let (lu_a, lu_c) = ((*black_box(&na_a)).lu(), (*black_box(&na_c)).lu());
                    let (mut x, mut z) = (*black_box(&na_b), *black_box(&na_d));
                    black_box(lu_a.solve_mut(&mut x) && lu_c.solve_mut(&mut z));
                    black_box((&x, &z));
                }
            }),
        },
    ];
    let solve = [
        Op {
            lib: "odegen",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let (mut x, mut re, mut im) =
                        (*black_box(&b), *black_box(&d_re), *black_box(&d_im));
                    black_box(&lu).solve(&mut x, &mut re, &mut im);
                    black_box((&x, &re, &im));
                }
            }),
        },
        Op {
            lib: "nalgebra",
            run: Box::new(move |n| {
                for _ in 0..n {
                    let (mut x, mut z) = (*black_box(&na_b), *black_box(&na_d));
                    black_box(
                        black_box(&na_lu_a).solve_mut(&mut x)
                            && black_box(&na_lu_c).solve_mut(&mut z),
                    );
                    black_box((&x, &z));
                }
            }),
        },
    ];
    Case {
        scalar,
        n: N,
        factor_solve,
        solve,
    }
}

/// The two operations of a case, labelled for the table.
fn ops(c: &Case) -> [(&'static str, &[Op; 2]); 2] {
    [("factor+solve", &c.factor_solve), ("solve", &c.solve)]
}

fn main() {
    let cases = [
        case::<f64, 3>(),
        case::<f64, 8>(),
        case::<f64, 20>(),
        case::<f64, 50>(),
        case::<Complex64, 3>(),
        case::<Complex64, 8>(),
        case::<Complex64, 20>(),
        case::<Complex64, 50>(),
        pair_case::<3>(None),
        pair_case::<8>(None),
        pair_case::<20>(None),
        pair_case::<50>(None),
        pair_case::<8>(Some(1)),
        pair_case::<20>(Some(2)),
        pair_case::<50>(Some(2)),
    ];
    println!("== stack LU: odegen::linalg::Lu vs nalgebra 0.35 SMatrix::lu ==");
    println!(
        "matrix sigma*I - J, J_ij = {J_SCALE}*U[-1,1); sigma = {GAMMA_OVER_H} (f64), {:.1} (c64)",
        Complex64::shift()
    );
    println!("both solutions checked: relative residual < 1e-13, agreement < 1e-12");
    println!();

    let runs: Vec<&dyn Fn(u64)> = cases
        .iter()
        .flat_map(|c| {
            ops(c)
                .into_iter()
                .flat_map(|(_, o)| o.iter().map(|op| &*op.run))
        })
        .collect();
    let medians = batched_medians_per_call(
        &runs,
        Batching {
            probe: 200,
            batch_secs: 10e-6,
            warmup: 50,
            rounds: 2000,
        },
    );
    println!("== medians per call, 2000 interleaved batches of ~10 us each ==");
    println!(
        "{:<6} {:>3}  {:<13} {:>13} {:>15} {:>16}",
        "scalar", "N", "operation", "odegen [ns]", "nalgebra [ns]", "nalgebra/odegen"
    );
    let mut m = medians.chunks(2);
    for c in &cases {
        for (label, _) in ops(c) {
            let pair = m.next().expect("two medians per operation");
            println!(
                "{:<6} {:>3}  {:<13} {:>13.1} {:>15.1} {:>15.2}x",
                c.scalar,
                c.n,
                label,
                pair[0] * 1e9,
                pair[1] * 1e9,
                pair[1] / pair[0]
            );
        }
    }
    println!();

    let mut crit = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
        .without_plots();
    for scalar in ["f64", "c64", "rc", "rc-b1", "rc-b2"] {
        for (label, pick) in [
            (
                "factor_solve",
                (|c: &Case| &c.factor_solve) as fn(&Case) -> &[Op; 2],
            ),
            ("solve", |c: &Case| &c.solve),
        ] {
            let mut group = crit.benchmark_group(format!("{label}_{scalar}"));
            for c in cases.iter().filter(|c| c.scalar == scalar) {
                for op in pick(c) {
                    group.bench_function(BenchmarkId::new(op.lib, c.n), |bench| {
                        bench.iter_custom(|iters| {
                            let start = Instant::now();
                            (op.run)(iters);
                            start.elapsed()
                        })
                    });
                }
            }
            group.finish();
        }
    }
    crit.final_summary();
}
