/* SUNDIALS CVODE (BDF, Newton) with the KLU sparse direct solver and an analytic sparse
 * Jacobian: the peer of odegen's sparse benchmark (benches/sparse.rs builds and runs it).
 *
 *   cvode_sparse <problem> <size> <rtol> <atol> <t1> <reps>
 *
 * problem: "bruss" (the 2-D Brusselator of DifferentialEquations.jl's tutorial on an
 * size x size periodic grid, N = 2 size^2), "heat1d" (u_t = u_xx on size interior points,
 * Dirichlet), "heat2d" (u_t = Δu on size x size interior points, Dirichlet). The systems, their
 * initial states and their component order are those of tests/problems/{brusselator2d,heat1d,
 * grids}.rs. Prints "median_seconds steps rhs_evals jac_evals lin_setups" and then the final
 * state, one component per line (%.17g).
 */
#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_sparse.h>
#include <time.h>

typedef struct {
  int kind; /* 0 bruss, 1 heat1d, 2 heat2d */
  int n;    /* grid size */
  int N;    /* equations */
  double a, b, c;
  unsigned char *disc;
} Problem;

static int wrap(int i, int n) { return (i % n + n) % n; }

static int rhs(sunrealtype t, N_Vector yv, N_Vector dyv, void *ud) {
  Problem *p = (Problem *)ud;
  const double *y = N_VGetArrayPointer(yv);
  double *dy = N_VGetArrayPointer(dyv);
  int n = p->n;
  if (p->kind == 0) {
    int nn = n * n;
    double forcing = t >= 1.1 ? 5.0 : 0.0;
    for (int j = 0; j < n; j++) {
      int jp = wrap(j + 1, n), jm = wrap(j - 1, n);
      for (int i = 0; i < n; i++) {
        int ip = wrap(i + 1, n), im = wrap(i - 1, n);
        int k = i + n * j;
        double u = y[k], v = y[nn + k];
        double lu = y[im + n * j] + y[ip + n * j] + y[i + n * jp] + y[i + n * jm] - 4.0 * u;
        double lv = y[nn + im + n * j] + y[nn + ip + n * j] + y[nn + i + n * jp] +
                    y[nn + i + n * jm] - 4.0 * v;
        double uuv = u * u * v;
        dy[k] = p->c * lu + p->b + uuv - (p->a + 1.0) * u + (p->disc[k] ? forcing : 0.0);
        dy[nn + k] = p->c * lv + p->a * u - uuv;
      }
    }
  } else if (p->kind == 1) {
    for (int i = 0; i < n; i++) {
      double l = i > 0 ? y[i - 1] : 0.0, r = i + 1 < n ? y[i + 1] : 0.0;
      dy[i] = (l - 2.0 * y[i] + r) * p->c;
    }
  } else {
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++) {
        int k = i + n * j;
        double s = -4.0 * y[k];
        if (i > 0) s += y[k - 1];
        if (i + 1 < n) s += y[k + 1];
        if (j > 0) s += y[k - n];
        if (j + 1 < n) s += y[k + n];
        dy[k] = p->c * s;
      }
  }
  return 0;
}

/* The Jacobian in compressed rows, columns ascending within a row. */
static int jac(sunrealtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
               N_Vector t2, N_Vector t3) {
  (void)t; (void)fy; (void)t1; (void)t2; (void)t3;
  Problem *p = (Problem *)ud;
  const double *y = N_VGetArrayPointer(yv);
  sunindextype *rp = SUNSparseMatrix_IndexPointers(J);
  sunindextype *ci = SUNSparseMatrix_IndexValues(J);
  double *val = SUNSparseMatrix_Data(J);
  int n = p->n, N = p->N, q = 0;
  for (int r = 0; r < N; r++) {
    rp[r] = q;
    int cols[6];
    double vals[6];
    int m = 0;
    if (p->kind == 0) {
      int nn = n * n, s = r / nn, k = r % nn, i = k % n, j = k / n;
      int base = s * nn, other = (1 - s) * nn;
      double u = y[k], v = y[nn + k], c = p->c;
      int c6[6] = {base + wrap(i - 1, n) + n * j, base + wrap(i + 1, n) + n * j,
                   base + i + n * wrap(j + 1, n), base + i + n * wrap(j - 1, n), base + k,
                   other + k};
      double v6[6] = {c, c, c, c, 0, 0};
      if (s == 0) {
        v6[4] = -4.0 * c + 2.0 * u * v - (p->a + 1.0);
        v6[5] = u * u;
      } else {
        v6[4] = -4.0 * c - u * u;
        v6[5] = p->a - 2.0 * u * v;
      }
      for (m = 0; m < 6; m++) { cols[m] = c6[m]; vals[m] = v6[m]; }
    } else if (p->kind == 1) {
      if (r > 0) { cols[m] = r - 1; vals[m++] = p->c; }
      cols[m] = r; vals[m++] = -2.0 * p->c;
      if (r + 1 < n) { cols[m] = r + 1; vals[m++] = p->c; }
    } else {
      int i = r % n, j = r / n;
      if (j > 0) { cols[m] = r - n; vals[m++] = p->c; }
      if (i > 0) { cols[m] = r - 1; vals[m++] = p->c; }
      cols[m] = r; vals[m++] = -4.0 * p->c;
      if (i + 1 < n) { cols[m] = r + 1; vals[m++] = p->c; }
      if (j + 1 < n) { cols[m] = r + n; vals[m++] = p->c; }
    }
    /* Insertion sort by column. */
    for (int a = 1; a < m; a++)
      for (int b = a; b > 0 && cols[b - 1] > cols[b]; b--) {
        int tc = cols[b]; cols[b] = cols[b - 1]; cols[b - 1] = tc;
        double tv = vals[b]; vals[b] = vals[b - 1]; vals[b - 1] = tv;
      }
    for (int a = 0; a < m; a++) { ci[q] = cols[a]; val[q++] = vals[a]; }
  }
  rp[N] = q;
  return 0;
}

static void start(const Problem *p, double *y) {
  int n = p->n;
  const double pi = 3.14159265358979323846;
  if (p->kind == 0) {
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++) {
        double x = (double)i / (n - 1), yy = (double)j / (n - 1);
        y[i + n * j] = 22.0 * pow(yy * (1.0 - yy), 1.5);
        y[n * n + i + n * j] = 27.0 * pow(x * (1.0 - x), 1.5);
      }
  } else if (p->kind == 1) {
    double h = 1.0 / (n + 1);
    int ks[3] = {1, 3, n / 2 + 1};
    double as[3] = {1.0, 0.5, 0.3};
    for (int i = 0; i < n; i++) y[i] = 0.0;
    for (int m = 0; m < 3; m++)
      for (int i = 0; i < n; i++) y[i] += as[m] * sin(ks[m] * pi * (i + 1) * h);
  } else {
    double h = 1.0 / (n + 1);
    int ks[3] = {1, 2, n / 2 + 1}, ls[3] = {1, 3, n / 2};
    double as[3] = {1.0, 0.5, 0.3};
    for (int k = 0; k < n * n; k++) y[k] = 0.0;
    for (int m = 0; m < 3; m++)
      for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
          y[i + n * j] += as[m] * sin(ks[m] * pi * (i + 1) * h) * sin(ls[m] * pi * (j + 1) * h);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s bruss|heat1d|heat2d size rtol atol t1 reps\n", argv[0]);
    return 2;
  }
  Problem p = {0};
  p.n = atoi(argv[2]);
  double rtol = atof(argv[3]), atol = atof(argv[4]), t1 = atof(argv[5]);
  int reps = atoi(argv[6]);
  sunindextype nnz;
  if (!strcmp(argv[1], "bruss")) {
    p.kind = 0;
    p.N = 2 * p.n * p.n;
    double dx = 1.0 / (p.n - 1);
    p.a = 3.4; p.b = 1.0; p.c = 10.0 / (dx * dx);
    p.disc = calloc(p.n * p.n, 1);
    for (int j = 0; j < p.n; j++)
      for (int i = 0; i < p.n; i++) {
        double x = i * dx, y = j * dx;
        p.disc[i + p.n * j] = (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) <= 0.1 * 0.1;
      }
    nnz = 6 * (sunindextype)p.N;
  } else if (!strcmp(argv[1], "heat1d")) {
    p.kind = 1; p.N = p.n; p.c = (double)(p.n + 1) * (p.n + 1);
    nnz = 3 * (sunindextype)p.N;
  } else if (!strcmp(argv[1], "heat2d")) {
    p.kind = 2; p.N = p.n * p.n; p.c = (double)(p.n + 1) * (p.n + 1);
    nnz = 5 * (sunindextype)p.N;
  } else {
    fprintf(stderr, "unknown problem %s\n", argv[1]);
    return 2;
  }
  SUNContext ctx;
  if (SUNContext_Create(NULL, &ctx)) return 1;
  double *times = malloc(sizeof(double) * reps);
  long steps = 0, nfe = 0, nje = 0, nls = 0;
  N_Vector y = N_VNew_Serial(p.N, ctx);
  for (int rep = 0; rep < reps; rep++) {
    double t0 = now();
    start(&p, N_VGetArrayPointer(y));
    void *mem = CVodeCreate(CV_BDF, ctx);
    SUNMatrix A = SUNSparseMatrix(p.N, p.N, nnz, CSR_MAT, ctx);
    SUNLinearSolver LS = SUNLinSol_KLU(y, A, ctx);
    if (CVodeInit(mem, rhs, 0.0, y) || CVodeSStolerances(mem, rtol, atol) ||
        CVodeSetUserData(mem, &p) || CVodeSetLinearSolver(mem, LS, A) ||
        CVodeSetJacFn(mem, jac) || CVodeSetMaxNumSteps(mem, 10000000)) {
      fprintf(stderr, "CVODE set-up failed\n");
      return 1;
    }
    sunrealtype t;
    int flag = CVode(mem, t1, y, &t, CV_NORMAL);
    if (flag < 0) {
      fprintf(stderr, "CVode failed: %d\n", flag);
      return 1;
    }
    times[rep] = now() - t0;
    CVodeGetNumSteps(mem, &steps);
    CVodeGetNumRhsEvals(mem, &nfe);
    CVodeGetNumJacEvals(mem, &nje);
    CVodeGetNumLinSolvSetups(mem, &nls);
    SUNLinSolFree(LS);
    SUNMatDestroy(A);
    CVodeFree(&mem);
  }
  qsort(times, reps, sizeof(double), cmp);
  printf("%.9g %ld %ld %ld %ld\n", times[reps / 2], steps, nfe, nje, nls);
  const double *yy = N_VGetArrayPointer(y);
  for (int i = 0; i < p.N; i++) printf("%.17g\n", yy[i]);
  N_VDestroy(y);
  SUNContext_Free(&ctx);
  return 0;
}
