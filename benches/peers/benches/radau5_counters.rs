//! odegen's `Radau5` against Hairer's RADAU5: the machine-independent counters (steps,
//! evaluations of `f`, Jacobians, LU decompositions) and the digits reached, on the runs of the
//! Test Set for IVP Solvers (F. Mazzia and C. Magherini, release 2.4, Univ. of Bari, 2008)
//! copied into `/work/shared/REFERENCES.md` ("Published work of Hairer's RADAU5 and of VODE"):
//!
//! | problem | `rtol` | `atol` | `h0` | to `t` |
//! |---|---|---|---|---|
//! | HIRES | `1e-7` | `1e-7` | `1e-9` | `321.8122` |
//! | HIRES | `1e-10` | `1e-10` | `1e-10` | `321.8122` |
//! | ROBER | `1e-10` | `1e-14` | `1e-10` | `1e11` |
//! | VDPOL (μ-form, `μ = 1000`) | `1e-7` | `1e-7` | `1e-7` | `2000` |
//!
//! Three rows per run:
//! - **RADAU5 published**: the counters as REFERENCES quotes them.
//! - **radau5.f run**: Hairer's own Fortran RADAU5 ("version of July 9, 1996, latest small
//!   correction: January 18, 2002", file `assimulo/thirdparty/hairer/radau_decsol.f` of the
//!   Assimulo 3.0 source archive on PyPI), compiled with Debian's gfortran 12.2 (`-O2`) and
//!   run on 2026-11-21 on these four problems with the same `rtol`, `atol` (`ITOL = 0`) and
//!   `h0`, the analytic Jacobian (`IJAC = 1`, full), every other `WORK`/`IWORK` entry at its
//!   default; counters `IWORK(14..19)`. Hairer's code is not part of this repository, so its
//!   figures are quoted here as measured.
//! - **odegen Radau5** with the same settings and the `#[ode_system]`'s generated (analytic)
//!   Jacobian, and its ratios to the radau5.f run and to the published row.
//!
//! odegen reproduces radau5.f's run: the same steps, Jacobians and decompositions and the same
//! digits on all four runs, one more `f` (odegen also evaluates `f` at the final point, so
//! that the stepper can continue and step handlers see `f`; RADAU5 returns before it), and on
//! VDPOL one more rejection (RADAU5's `NREJCT` leaves out rejections of the first step).
//!
//! The published rows are not what RADAU5 does with these settings: they need far fewer steps
//! and more evaluations per step than radau5.f itself, and the ROBER row spends more `f` than
//! RADAU5 can in that many steps (the last table: at most `1 + steps · (3 · 7 + 2)`, `NIT = 7`
//! Newton iterations of three evaluations per attempt, one for the error estimate, one at the
//! new point). They are runs of Hairer's variable-order RADAU with the first step
//! `h0 = 1e-2 rtol` (the HIRES 1e-7 row states its `h0 = 1e-9`; the others are read with
//! `h0 = rtol` above, as REFERENCES' header has it): odegen's `AdaptiveRadau`, which implements
//! RADAU, reproduces every one of them step for step at that `h0`, one `f` more (the
//! "odegen AdaptiveRadau" row of each block; checked by `tests/stiff_references.rs`).
//!
//! Each problem also gets a row at the loosest `rtol` at which odegen first reaches the
//! published `mescd` (scanning `rtol` downward from the published one in factors of
//! `10^{1/4}`, `atol/rtol` and `h0` kept), so that the cost of equal digits can be read off.
//!
//! Counters: `steps` = RADAU5's `NSTEP` (every attempt, including those rejected by the error
//! test and those abandoned in Newton) ↔ `n_accepted + n_rejected`; `f-evals` = `NFCN` ↔
//! `nfev` (no evaluations are spent on Jacobians: both analytic); `Jac` = `NJAC` ↔ `njev`;
//! `LU` = `NDEC` (one real plus one complex factorisation) ↔ `nlu` (counted the same way). The
//! digits are the Test Set's `mescd`, `−log10 max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`,
//! against REFERENCES' reference states.
//!
//! No timing: the counters do not depend on the machine. Run with
//! `cargo bench -p odegen-peers --bench radau5_counters` (a second).

// Published reference states keep all their digits.
#![allow(clippy::excessive_precision)]

use odegen::prelude::*;

// The stiff problems and their published references, shared with the tests and examples.
#[path = "../../../tests/problems/stiff.rs"]
mod stiff_systems;
use stiff_systems::{
    Hires, Robertson, VanDerPol, HIRES_T_END, HIRES_Y0, ROBERTSON_T1E11, VAN_DER_POL_T2000,
};

/// RADAU5's counters on one run: as published (REFERENCES, Test Set 2.4 run tables), or as
/// radau5.f counted them when run here (see the module docs).
#[derive(Debug, Clone, Copy)]
struct Published {
    mescd: f64,
    steps: usize,
    nfev: usize,
    njev: usize,
    nlu: usize,
}

/// One published run's problem and settings.
struct Run<Sys, const N: usize> {
    problem: &'static str,
    sys: Sys,
    t_end: f64,
    y0: [f64; N],
    reference: [f64; N],
    rtol: f64,
    atol: f64,
    h0: f64,
    published: Published,
    /// radau5.f run here: `(mescd, NSTEP, NACCPT, NREJCT, NFCN, NJAC, NDEC)`.
    measured: (f64, usize, usize, usize, usize, usize, usize),
}

/// odegen's counters and digits on one run.
#[derive(Debug, Clone, Copy)]
struct Counted {
    rtol: f64,
    mescd: f64,
    accepted: usize,
    rejected: usize,
    nfev: usize,
    njev: usize,
    nlu: usize,
}

/// The Test Set's `mescd`: `−log10 max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`.
fn mescd(y: &[f64], reference: &[f64], atol_per_rtol: f64) -> f64 {
    let err = y
        .iter()
        .zip(reference)
        .map(|(y, r)| (y - r).abs() / (atol_per_rtol + r.abs()))
        .fold(0.0, f64::max);
    -err.log10()
}

impl<Sys: OdeSystem<N>, const N: usize> Run<Sys, N> {
    /// odegen's Radau5 at `rtol`, with `atol = rtol · (atol/rtol of the run)` and the run's `h0`.
    fn odegen(&self, rtol: f64) -> Result<Counted, Error> {
        let ratio = self.atol / self.rtol;
        let settings = Settings::new(Tolerances::new(rtol, ratio * rtol)).first_step(self.h0);
        let mut st = Radau5::new(&self.sys, 0.0, self.y0, self.t_end, settings)?;
        while !st.is_finished() {
            st.step()?;
        }
        let s = st.stats();
        Ok(Counted {
            rtol,
            mescd: mescd(st.y(), &self.reference, ratio),
            accepted: s.n_accepted,
            rejected: s.n_rejected,
            nfev: s.nfev,
            njev: s.njev,
            nlu: s.nlu,
        })
    }

    /// odegen's AdaptiveRadau (Hairer's RADAU) at the run's tolerances and the published
    /// runs' own first step, `1e-2 rtol`.
    fn adaptive(&self) -> Result<Counted, Error> {
        let settings =
            Settings::new(Tolerances::new(self.rtol, self.atol)).first_step(1e-2 * self.rtol);
        let mut st = AdaptiveRadau::new(&self.sys, 0.0, self.y0, self.t_end, settings)?;
        while !st.is_finished() {
            st.step()?;
        }
        let s = st.stats();
        Ok(Counted {
            rtol: self.rtol,
            mescd: mescd(st.y(), &self.reference, self.atol / self.rtol),
            accepted: s.n_accepted,
            rejected: s.n_rejected,
            nfev: s.nfev,
            njev: s.njev,
            nlu: s.nlu,
        })
    }

    /// The published row, odegen at the published tolerances, and odegen at equal digits:
    /// the loosest scanned `rtol` reaching the published `mescd` (scanning down from the
    /// published `rtol`; when that already reaches it, scanning up while it still does).
    fn rows(&self) -> Vec<String> {
        let p = self.published;
        let tol = if self.atol == self.rtol {
            format!("{:.0e}", self.rtol)
        } else {
            format!("{:.0e}/{:.0e}", self.rtol, self.atol)
        };
        let mut rows = vec![format!(
            "{:<6} {:<12} {:<26} {:>6.2} {:>6} {:>11} {:>7} {:>6.1} {:>5} {:>5} |",
            self.problem,
            tol,
            "RADAU5 published",
            p.mescd,
            p.steps,
            "",
            p.nfev,
            p.nfev as f64 / p.steps as f64,
            p.njev,
            p.nlu
        )];
        let (m_mescd, m_steps, m_acc, m_rej, m_nfev, m_njev, m_nlu) = self.measured;
        rows.push(format!(
            "{:<6} {:<12} {:<26} {:>6.2} {:>6} {:>11} {:>7} {:>6.1} {:>5} {:>5} |",
            self.problem,
            tol,
            "radau5.f run (quoted)",
            m_mescd,
            m_steps,
            format!("({m_acc}+{m_rej})"),
            m_nfev,
            m_nfev as f64 / m_steps as f64,
            m_njev,
            m_nlu
        ));
        let row = |label: &str, c: &Counted| {
            let ratio = |a: usize, b: usize| a as f64 / b as f64;
            let steps = c.accepted + c.rejected;
            format!(
                "{:<6} {:<12} {:<26} {:>6.2} {:>6} {:>11} {:>7} {:>6.1} {:>5} {:>5} | {:>5.2} {:>5.2} {:>5.2} {:>5.2} | {:>5.2} {:>5.2} {:>5.2} {:>5.2}",
                self.problem,
                tol,
                label,
                c.mescd,
                steps,
                format!("({}+{})", c.accepted, c.rejected),
                c.nfev,
                ratio(c.nfev, steps),
                c.njev,
                c.nlu,
                ratio(steps, m_steps),
                ratio(c.nfev, m_nfev),
                ratio(c.njev, m_njev),
                ratio(c.nlu, m_nlu),
                ratio(steps, p.steps),
                ratio(c.nfev, p.nfev),
                ratio(c.njev, p.njev),
                ratio(c.nlu, p.nlu),
            )
        };
        let at_published = match self.odegen(self.rtol) {
            Ok(c) => {
                rows.push(row("odegen Radau5", &c));
                Some(c)
            }
            Err(e) => {
                rows.push(format!(
                    "{:<6} {:<12} odegen Radau5 failed: {e}",
                    self.problem, tol
                ));
                None
            }
        };
        let scan = |sign: f64| {
            (1..=16)
                .map(move |k| self.rtol * 10f64.powf(sign * 0.25 * k as f64))
                .map(|rtol| self.odegen(rtol))
        };
        let reaches = |c: &Result<Counted, Error>| c.as_ref().is_ok_and(|c| c.mescd >= p.mescd);
        let equal_digits = match at_published {
            // Already there: the loosest rtol up to which it stays there.
            Some(c) if c.mescd >= p.mescd => Some(
                scan(1.0)
                    .take_while(reaches)
                    .last()
                    .and_then(Result::ok)
                    .map_or((c, "(published rtol)"), |c| (c, "(loosest)")),
            ),
            _ => scan(-1.0)
                .find(reaches)
                .and_then(Result::ok)
                .map(|c| (c, "")),
        };
        match equal_digits {
            Some((c, note)) => rows.push(row(&format!("  @rtol={:.2e} {note}", c.rtol), &c)),
            None => rows.push(format!(
                "{:<6} {:<12} odegen Radau5 does not reach mescd {:.2} down to rtol {:.0e}",
                self.problem,
                tol,
                p.mescd,
                self.rtol * 1e-4
            )),
        }
        match self.adaptive() {
            Ok(c) => rows.push(row("odegen AdaptiveRadau", &c)),
            Err(e) => rows.push(format!(
                "{:<6} {:<12} odegen AdaptiveRadau failed: {e}",
                self.problem, tol
            )),
        }
        rows
    }

    /// RADAU5's most evaluations of `f` for `steps` attempted steps: one at the start, and per
    /// attempt `NIT = 7` Newton iterations of three, the extra one of the error estimate
    /// (first step and after a rejection) and the one at the new point.
    fn max_radau5_nfev(steps: usize) -> usize {
        1 + steps * (3 * 7 + 2)
    }

    /// Whether the published counters are within RADAU5's bound.
    fn consistency(&self) -> String {
        let p = self.published;
        let bound = Self::max_radau5_nfev(p.steps);
        format!(
            "{:<6} rtol {:.0e}: published f-evals {} {} {} = 1 + {} steps x (3 x 7 + 2){}",
            self.problem,
            self.rtol,
            p.nfev,
            if p.nfev <= bound { "<=" } else { ">" },
            bound,
            p.steps,
            if p.nfev <= bound {
                ""
            } else {
                "  -- more than RADAU5 (NIT = 7) can spend in that many steps"
            }
        )
    }
}

fn main() {
    let hires = |rtol, atol, h0, published, measured| Run {
        problem: "HIRES",
        sys: Hires,
        t_end: 321.8122,
        y0: HIRES_Y0,
        // Test Set 2.4, `hires`.
        reference: HIRES_T_END,
        rtol,
        atol,
        h0,
        published,
        measured,
    };
    let hires_7 = hires(
        1e-7,
        1e-7,
        1e-9,
        Published {
            mescd: 7.11,
            steps: 51,
            nfev: 985,
            njev: 22,
            nlu: 51,
        },
        (6.81, 79, 72, 0, 684, 31, 61),
    );
    let hires_10 = hires(
        1e-10,
        1e-10,
        1e-10,
        Published {
            mescd: 10.65,
            steps: 69,
            nfev: 1511,
            njev: 29,
            nlu: 68,
        },
        (9.36, 199, 199, 0, 1660, 61, 97),
    );
    let rober = Run {
        problem: "ROBER",
        sys: Robertson,
        t_end: 1e11,
        y0: [1.0, 0.0, 0.0],
        // Test Set 2.4, `rober`, at t = 1e11.
        reference: ROBERTSON_T1E11,
        rtol: 1e-10,
        atol: 1e-14,
        h0: 1e-10,
        published: Published {
            mescd: 11.21,
            steps: 108,
            nfev: 3420,
            njev: 92,
            nlu: 108,
        },
        measured: (11.73, 888, 886, 2, 6232, 402, 432),
    };
    let vdpol = Run {
        problem: "VDPOL",
        sys: VanDerPol { mu: 1000.0 },
        t_end: 2000.0,
        y0: [2.0, 0.0],
        // Test Set 2.4, `vdpolm` (μ-form).
        reference: VAN_DER_POL_T2000,
        rtol: 1e-7,
        atol: 1e-7,
        h0: 1e-7,
        published: Published {
            mescd: 8.56,
            steps: 240,
            nfev: 3508,
            njev: 187,
            nlu: 238,
        },
        measured: (6.84, 503, 494, 8, 3932, 331, 426),
    };

    println!("== odegen Radau5 vs Hairer's RADAU5: radau5.f run with the same settings, and the");
    println!("   published Test Set 2.4 rows (analytic Jacobians everywhere) ==");
    println!("mescd = -log10 max_i |y_i - ref_i| / (atol/rtol + |ref_i|); steps = every attempt");
    println!("(odegen: accepted + rejected, Newton failures included; radau5.f: NSTEP, NACCPT +");
    println!("NREJCT, whose NREJCT leaves out rejections of the first step); f/step = f-evals /");
    println!("steps; LU = decompositions (one real + one complex = one, RADAU5's NDEC); ratios =");
    println!("odegen / radau5.f run, then odegen / published. '@rtol=' rows: odegen at the");
    println!("published digits, the loosest rtol (grid 10^(k/4) times the published one; same");
    println!("atol/rtol and h0) reaching the published mescd. 'AdaptiveRadau' rows: odegen's");
    println!("RADAU at the published tolerances with the published runs' first step, 1e-2 rtol.");
    println!();
    println!(
        "{:<6} {:<12} {:<26} {:>6} {:>6} {:>11} {:>7} {:>6} {:>5} {:>5} | {:^23} | {:^23}",
        "", "", "", "", "", "", "", "", "", "", "/ radau5.f run", "/ published"
    );
    println!(
        "{:<6} {:<12} {:<26} {:>6} {:>6} {:>11} {:>7} {:>6} {:>5} {:>5} | {:>5} {:>5} {:>5} {:>5} | {:>5} {:>5} {:>5} {:>5}",
        "prob.",
        "rtol/atol",
        "solver",
        "mescd",
        "steps",
        "(acc+rej)",
        "f-evals",
        "f/step",
        "Jac",
        "LU",
        "steps",
        "f",
        "Jac",
        "LU",
        "steps",
        "f",
        "Jac",
        "LU"
    );
    let rows = [hires_7.rows(), hires_10.rows(), rober.rows(), vdpol.rows()];
    for (i, block) in rows.iter().enumerate() {
        if i > 0 {
            println!();
        }
        for r in block {
            println!("{r}");
        }
    }
    println!();
    println!("== consistency of the published counters with RADAU5's cost per step ==");
    println!("{}", hires_7.consistency());
    println!("{}", hires_10.consistency());
    println!("{}", rober.consistency());
    println!("{}", vdpol.consistency());
}
