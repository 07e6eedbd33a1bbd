//! Coefficients of DOP853, the explicit Runge–Kutta pair of order 8 with embedded error
//! estimators of orders 5 and 3 and a continuous extension of order 7, due to Dormand & Prince.
//!
//! The method is described in Hairer, Nørsett & Wanner, *Solving Ordinary Differential
//! Equations I* (2nd ed., 1993), section II.10 ("DOP853"), and implemented in Hairer's Fortran
//! code `dop853.f`; the values below are that code's constants, in the 0-based layout SciPy uses
//! for its `DOP853` solver.
//!
//! Layout (stage indices start at 0):
//!
//! * stages `0..12` ([`N_STAGES`]) produce the step: `y_new = y_old + h Σ_{i<12} B[i] k_i`;
//! * stage `12` is `f(t + h, y_new)` (row 12 of [`A`] equals [`B`]), so the pair is FSAL and the
//!   stage also enters the error estimators and the dense output;
//! * stages `13..16` ([`N_STAGES_EXTENDED`]) are evaluated only for the dense output.
//!
//! The local error is estimated from `err5 = h Σ E5[i] k_i` and `err3 = h Σ E3[i] k_i`
//! (`i < 13`). `dop853.f` combines them over the `n` components, with `s5 = Σ (err5/sc)²` and
//! `s3 = Σ (err3/sc)²` (`sc` the usual `atol + rtol·max(|y_old|, |y_new|)`), into
//! `err = s5 / sqrt(n (s5 + 0.01 s3))`, controlled with the exponent `1/8`.
//!
//! Dense output: with `Δ = y_new − y_old`,
//!
//! ```text
//! r1 = y_old,  r2 = Δ,  r3 = h k_0 − Δ,  r4 = Δ − h k_12 − r3,
//! r(5+m) = h Σ_{j<16} D[m][j] k_j   (m = 0..4),
//! y(t_old + θh) ≈ r1 + θ(r2 + (1−θ)(r3 + θ(r4 + (1−θ)(r5 + θ(r6 + (1−θ)(r7 + θ r8)))))).
//! ```

// The literals carry the digits published in `dop853.f`, more than an `f64` holds.
#![allow(clippy::excessive_precision)]

/// Number of stages of one step, without the FSAL stage and the dense-output stages.
pub const N_STAGES: usize = 12;

/// Number of stages including the FSAL stage (index 12) and the three extra stages (13..16) of
/// the dense output.
pub const N_STAGES_EXTENDED: usize = 16;

/// Nodes `c_i`: stage `i` is evaluated at `t + C[i] h`. `C[12] = 1` is the FSAL stage
/// `f(t + h, y_new)`; `C[13..16]` are the nodes of the dense-output stages.
pub const C: [f64; 16] = [
    0.0,
    0.526001519587677318785587544488e-01,
    0.789002279381515978178381316732e-01,
    0.118350341907227396726757197510,
    0.281649658092772603273242802490,
    0.333333333333333333333333333333,
    0.25,
    0.307692307692307692307692307692,
    0.651282051282051282051282051282,
    0.6,
    0.857142857142857142857142857142,
    1.0,
    1.0,
    0.1,
    0.2,
    0.777777777777777777777777777778,
];

/// Weights of the 8th-order solution, over stages `0..12`.
pub const B: [f64; 12] = [
    5.42937341165687622380535766363e-2,
    0.0,
    0.0,
    0.0,
    0.0,
    4.45031289275240888144113950566,
    1.89151789931450038304281599044,
    -5.8012039600105847814672114227,
    3.1116436695781989440891606237e-1,
    -1.52160949662516078556178806805e-1,
    2.01365400804030348374776537501e-1,
    4.47106157277725905176885569043e-2,
];

/// Stage coupling `a_ij`, strictly lower triangular. Rows `0..12` are the step's stages, row 12
/// equals [`B`] (the FSAL stage at `y_new`), rows `13..16` are the dense-output stages, which use
/// stages `0..13` and the earlier extra stages.
pub const A: [[f64; 16]; 16] = {
    let mut a = [[0.0; 16]; 16];

    a[1][0] = 5.26001519587677318785587544488e-2;

    a[2][0] = 1.97250569845378994544595329183e-2;
    a[2][1] = 5.91751709536136983633785987549e-2;

    a[3][0] = 2.95875854768068491816892993775e-2;
    a[3][2] = 8.87627564304205475450678981324e-2;

    a[4][0] = 2.41365134159266685502369798665e-1;
    a[4][2] = -8.84549479328286085344864962717e-1;
    a[4][3] = 9.24834003261792003115737966543e-1;

    a[5][0] = 3.7037037037037037037037037037e-2;
    a[5][3] = 1.70828608729473871279604482173e-1;
    a[5][4] = 1.25467687566822425016691814123e-1;

    a[6][0] = 3.7109375e-2;
    a[6][3] = 1.70252211019544039314978060272e-1;
    a[6][4] = 6.02165389804559606850219397283e-2;
    a[6][5] = -1.7578125e-2;

    a[7][0] = 3.70920001185047927108779319836e-2;
    a[7][3] = 1.70383925712239993810214054705e-1;
    a[7][4] = 1.07262030446373284651809199168e-1;
    a[7][5] = -1.53194377486244017527936158236e-2;
    a[7][6] = 8.27378916381402288758473766002e-3;

    a[8][0] = 6.24110958716075717114429577812e-1;
    a[8][3] = -3.36089262944694129406857109825;
    a[8][4] = -8.68219346841726006818189891453e-1;
    a[8][5] = 2.75920996994467083049415600797e1;
    a[8][6] = 2.01540675504778934086186788979e1;
    a[8][7] = -4.34898841810699588477366255144e1;

    a[9][0] = 4.77662536438264365890433908527e-1;
    a[9][3] = -2.48811461997166764192642586468;
    a[9][4] = -5.90290826836842996371446475743e-1;
    a[9][5] = 2.12300514481811942347288949897e1;
    a[9][6] = 1.52792336328824235832596922938e1;
    a[9][7] = -3.32882109689848629194453265587e1;
    a[9][8] = -2.03312017085086261358222928593e-2;

    a[10][0] = -9.3714243008598732571704021658e-1;
    a[10][3] = 5.18637242884406370830023853209;
    a[10][4] = 1.09143734899672957818500254654;
    a[10][5] = -8.14978701074692612513997267357;
    a[10][6] = -1.85200656599969598641566180701e1;
    a[10][7] = 2.27394870993505042818970056734e1;
    a[10][8] = 2.49360555267965238987089396762;
    a[10][9] = -3.0467644718982195003823669022;

    a[11][0] = 2.27331014751653820792359768449;
    a[11][3] = -1.05344954667372501984066689879e1;
    a[11][4] = -2.00087205822486249909675718444;
    a[11][5] = -1.79589318631187989172765950534e1;
    a[11][6] = 2.79488845294199600508499808837e1;
    a[11][7] = -2.85899827713502369474065508674;
    a[11][8] = -8.87285693353062954433549289258;
    a[11][9] = 1.23605671757943030647266201528e1;
    a[11][10] = 6.43392746015763530355970484046e-1;

    // The FSAL stage: f(t + h, y_new).
    let mut j = 0;
    while j < N_STAGES {
        a[12][j] = B[j];
        j += 1;
    }

    a[13][0] = 5.61675022830479523392909219681e-2;
    a[13][6] = 2.53500210216624811088794765333e-1;
    a[13][7] = -2.46239037470802489917441475441e-1;
    a[13][8] = -1.24191423263816360469010140626e-1;
    a[13][9] = 1.5329179827876569731206322685e-1;
    a[13][10] = 8.20105229563468988491666602057e-3;
    a[13][11] = 7.56789766054569976138603589584e-3;
    a[13][12] = -8.298e-3;

    a[14][0] = 3.18346481635021405060768473261e-2;
    a[14][5] = 2.83009096723667755288322961402e-2;
    a[14][6] = 5.35419883074385676223797384372e-2;
    a[14][7] = -5.49237485713909884646569340306e-2;
    a[14][10] = -1.08347328697249322858509316994e-4;
    a[14][11] = 3.82571090835658412954920192323e-4;
    a[14][12] = -3.40465008687404560802977114492e-4;
    a[14][13] = 1.41312443674632500278074618366e-1;

    a[15][0] = -4.28896301583791923408573538692e-1;
    a[15][5] = -4.69762141536116384314449447206;
    a[15][6] = 7.68342119606259904184240953878;
    a[15][7] = 4.06898981839711007970213554331;
    a[15][8] = 3.56727187455281109270669543021e-1;
    a[15][12] = -1.39902416515901462129418009734e-3;
    a[15][13] = 2.9475147891527723389556272149;
    a[15][14] = -9.15095847217987001081870187138;

    a
};

/// Weights of the 3rd-order error estimator, over stages `0..13`: `err3 = h Σ E3[i] k_i`.
/// This is [`B`] (extended by a zero) minus Hairer's `bhh1`, `bhh2`, `bhh3` at stages 0, 8, 11.
pub const E3: [f64; 13] = {
    let mut e = [0.0; 13];
    let mut i = 0;
    while i < N_STAGES {
        e[i] = B[i];
        i += 1;
    }
    e[0] -= 0.244094488188976377952755905512;
    e[8] -= 0.733846688281611857341361741547;
    e[11] -= 0.220588235294117647058823529412e-1;
    e
};

/// Weights of the 5th-order error estimator, over stages `0..13`: `err5 = h Σ E5[i] k_i`
/// (Hairer's `er1`..`er12`, and zero for the FSAL stage).
pub const E5: [f64; 13] = [
    0.1312004499419488073250102996e-1,
    0.0,
    0.0,
    0.0,
    0.0,
    -0.1225156446376204440720569753e1,
    -0.4957589496572501915214079952,
    0.1664377182454986536961530415e1,
    -0.3503288487499736816886487290,
    0.3341791187130174790297318841,
    0.8192320648511571246570742613e-1,
    -0.2235530786388629525884427845e-1,
    0.0,
];

/// Dense-output weights (Hairer's `d4j`..`d7j`): the coefficients `r5`..`r8` of the
/// interpolant are `h Σ_j D[m][j] k_j` for `m = 0..4`, over all 16 stages.
pub const D: [[f64; 16]; 4] = {
    let mut d = [[0.0; 16]; 4];

    d[0][0] = -0.84289382761090128651353491142e1;
    d[0][5] = 0.56671495351937776962531783590;
    d[0][6] = -0.30689499459498916912797304727e1;
    d[0][7] = 0.23846676565120698287728149680e1;
    d[0][8] = 0.21170345824450282767155149946e1;
    d[0][9] = -0.87139158377797299206789907490;
    d[0][10] = 0.22404374302607882758541771650e1;
    d[0][11] = 0.63157877876946881815570249290;
    d[0][12] = -0.88990336451333310820698117400e-1;
    d[0][13] = 0.18148505520854727256656404962e2;
    d[0][14] = -0.91946323924783554000451984436e1;
    d[0][15] = -0.44360363875948939664310572000e1;

    d[1][0] = 0.10427508642579134603413151009e2;
    d[1][5] = 0.24228349177525818288430175319e3;
    d[1][6] = 0.16520045171727028198505394887e3;
    d[1][7] = -0.37454675472269020279518312152e3;
    d[1][8] = -0.22113666853125306036270938578e2;
    d[1][9] = 0.77334326684722638389603898808e1;
    d[1][10] = -0.30674084731089398182061213626e2;
    d[1][11] = -0.93321305264302278729567221706e1;
    d[1][12] = 0.15697238121770843886131091075e2;
    d[1][13] = -0.31139403219565177677282850411e2;
    d[1][14] = -0.93529243588444783865713862664e1;
    d[1][15] = 0.35816841486394083752465898540e2;

    d[2][0] = 0.19985053242002433820987653617e2;
    d[2][5] = -0.38703730874935176555105901742e3;
    d[2][6] = -0.18917813819516756882830838328e3;
    d[2][7] = 0.52780815920542364900561016686e3;
    d[2][8] = -0.11573902539959630126141871134e2;
    d[2][9] = 0.68812326946963000169666922661e1;
    d[2][10] = -0.10006050966910838403183860980e1;
    d[2][11] = 0.77771377980534432092869265740;
    d[2][12] = -0.27782057523535084065932004339e1;
    d[2][13] = -0.60196695231264120758267380846e2;
    d[2][14] = 0.84320405506677161018159903784e2;
    d[2][15] = 0.11992291136182789328035130030e2;

    d[3][0] = -0.25693933462703749003312586129e2;
    d[3][5] = -0.15418974869023643374053993627e3;
    d[3][6] = -0.23152937917604549567536039109e3;
    d[3][7] = 0.35763911791061412378285349910e3;
    d[3][8] = 0.93405324183624310003907691704e2;
    d[3][9] = -0.37458323136451633156875139351e2;
    d[3][10] = 0.10409964950896230045147246184e3;
    d[3][11] = 0.29840293426660503123344363579e2;
    d[3][12] = -0.43533456590011143754432175058e2;
    d[3][13] = 0.96324553959188282948394950600e2;
    d[3][14] = -0.39177261675615439165231486172e2;
    d[3][15] = -0.14972683625798562581422125276e3;

    d
};

#[cfg(test)]
mod tests {
    // The crate may be `no_std`; the tests use `f64::{exp, sin, cos, log2}` from std.
    extern crate std;

    use super::*;

    /// Right-hand side of the test problem `y' = y cos t`, exact solution `exp(sin t)`.
    fn f(t: f64, y: f64) -> f64 {
        y * t.cos()
    }

    fn exact(t: f64) -> f64 {
        t.sin().exp()
    }

    /// The first `n` stages of one step of size `h` from `(t, y)`.
    fn stages(t: f64, y: f64, h: f64, n: usize) -> [f64; 16] {
        let mut k = [0.0; 16];
        for i in 0..n {
            let yi = y + h * (0..i).map(|j| A[i][j] * k[j]).sum::<f64>();
            k[i] = f(t + C[i] * h, yi);
        }
        k
    }

    fn step(t: f64, y: f64, h: f64) -> f64 {
        let k = stages(t, y, h, N_STAGES);
        y + h * (0..N_STAGES).map(|i| B[i] * k[i]).sum::<f64>()
    }

    fn global_error(n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let mut y = 1.0;
        for s in 0..n {
            y = step(s as f64 * h, y, h);
        }
        (y - exact(1.0)).abs()
    }

    /// Error of the dense output at `θ` after one step of size `h` from `t = 0`.
    fn dense_error(h: f64, theta: f64) -> f64 {
        let y_old = 1.0;
        let k = stages(0.0, y_old, h, N_STAGES_EXTENDED);
        let y_new = y_old + h * (0..N_STAGES).map(|i| B[i] * k[i]).sum::<f64>();
        let delta = y_new - y_old;
        let r1 = y_old;
        let r2 = delta;
        let r3 = h * k[0] - delta;
        let r4 = delta - h * k[12] - r3;
        let r: [f64; 4] = core::array::from_fn(|m| {
            h * (0..N_STAGES_EXTENDED).map(|j| D[m][j] * k[j]).sum::<f64>()
        });
        let th = theta;
        let th1 = 1.0 - theta;
        let y = r1
            + th * (r2
                + th1 * (r3 + th * (r4 + th1 * (r[0] + th * (r[1] + th1 * (r[2] + th * r[3]))))));
        (y - exact(theta * h)).abs()
    }

    #[test]
    fn row_sums_equal_nodes() {
        super::super::checks::row_sums(&A, &C, 1e-14);
    }

    #[test]
    fn order_conditions_up_to_five() {
        let mut b = [0.0; 16];
        b[..N_STAGES].copy_from_slice(&B);
        super::super::checks::order_conditions(&A, &b, &C, 5, 1e-13);
    }

    #[test]
    fn fsal_row_is_b() {
        assert_eq!(C[12], 1.0);
        assert_eq!(&A[12][..N_STAGES], &B[..]);
        assert!(A[12][N_STAGES..].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn error_weights_sum_to_zero() {
        let s3: f64 = E3.iter().sum();
        let s5: f64 = E5.iter().sum();
        assert!(s3.abs() < 1e-14, "Σ E3 = {s3}");
        assert!(s5.abs() < 1e-14, "Σ E5 = {s5}");
    }

    #[test]
    fn eighth_order_of_accuracy() {
        // On t ∈ [0, 1] the errors reach rounding level near n = 16 (4e-16), so the order is
        // measured between 4 and 8 steps (errors 3e-11 and 1.4e-13); it approaches 8 from below.
        let (e4, e8) = (global_error(4), global_error(8));
        let order = (e4 / e8).log2();
        std::println!("DOP853 global error: n=4 {e4:e}, n=8 {e8:e}, measured order {order:.3}");
        assert!(e8 > 1e-14, "errors too small to measure the order: {e8:e}");
        assert!((7.5..9.0).contains(&order), "measured order {order}");
    }

    #[test]
    fn dense_output_order() {
        let (e1, e2) = (dense_error(0.4, 0.5), dense_error(0.2, 0.5));
        let order = (e1 / e2).log2();
        std::println!(
            "DOP853 dense output at θ=0.5: h=0.4 {e1:e}, h=0.2 {e2:e}, measured local order {order:.3}"
        );
        assert!(e2 > 1e-15, "errors too small to measure the order: {e2:e}");
        assert!((6.8..9.5).contains(&order), "measured local order {order}");
    }
}
