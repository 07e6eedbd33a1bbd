//! The symbolic half of a sparse LU: a fill-reducing ordering and the pattern of the factors,
//! computed once from a static sparsity pattern (feature `alloc`).
//!
//! `#[ode_system]` runs [`analyse`] at expansion time and emits the result as constant arrays
//! ([`super::LuStructure`]), so the numeric factorisation of [`super::SparseLu`] runs over
//! storage sized at compile time, without an allocator; a pattern known only at run time gets
//! the same analysis here.
//!
//! - **Ordering**: George's automatic nested dissection by level structures (George & Liu,
//!   *Computer Solution of Large Sparse Positive Definite Systems*, 1981, ch. 8): in each
//!   connected part a pseudo-peripheral node (Gibbs, Poole & Stockmeyer's search, ibid. §4.3.2)
//!   roots a breadth-first level structure, its middle level separates the part, the two halves
//!   are ordered first (recursively) and the separator last. On a `k × k` grid this gives
//!   `O(k² log k)` fill instead of the `O(k³)` of a band ordering.
//! - **Factor pattern**: the symmetrised pattern `A + Aᵀ` under that ordering is factored
//!   symbolically by its elimination tree (Liu, *SIAM J. Matrix Anal. Appl.* 11, 1990): row
//!   `i` of `L` holds the nodes met walking up the tree from each `j < i` of row `i` of `A`, and
//!   `U = Lᵀ` in pattern. The structure is a superset of the exact unsymmetric fill, so no
//!   pivot order other than the diagonal one is needed — the numeric factorisation does not
//!   pivot (module docs of [`super::sparse`]).

use alloc::vec;
use alloc::vec::Vec;

/// The structure of the LU factors of `P A Pᵀ`, in compressed rows (owned).
///
/// Row `i` (in eliminated order) holds its columns ascending: those of `L` (below `i`), the
/// diagonal at [`diag`](Self::diag)`[i]`, then those of `U`. [`super::LuStructure`] is the same
/// in borrowed (and constant) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LuPattern {
    /// `order[k]`: the original index eliminated `k`-th.
    pub order: Vec<u32>,
    /// Row `i` holds the positions `row_start[i] .. row_start[i + 1]` (`N + 1` entries).
    pub row_start: Vec<u32>,
    /// The column (in eliminated order) of each stored entry.
    pub cols: Vec<u32>,
    /// The position of row `i`'s diagonal.
    pub diag: Vec<u32>,
    /// `inverse[v]`: the step at which original index `v` is eliminated.
    pub inverse: Vec<u32>,
    /// `entry[k]`: the position of the input pattern's `k`-th entry.
    pub entry: Vec<u32>,
}

impl LuPattern {
    /// The number of stored entries of `L + U` (the unit diagonal of `L` not stored).
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// The borrowed form the numeric kernel reads.
    pub fn as_structure(&self) -> super::LuStructure<'_> {
        super::LuStructure {
            order: &self.order,
            row_start: &self.row_start,
            cols: &self.cols,
            diag: &self.diag,
            inverse: &self.inverse,
            entry: &self.entry,
        }
    }
}

impl From<super::LuStructure<'_>> for LuPattern {
    /// An owned copy of a borrowed structure (one emitted by `#[ode_system]`, say).
    fn from(s: super::LuStructure<'_>) -> Self {
        LuPattern {
            order: s.order.to_vec(),
            row_start: s.row_start.to_vec(),
            cols: s.cols.to_vec(),
            diag: s.diag.to_vec(),
            inverse: s.inverse.to_vec(),
            entry: s.entry.to_vec(),
        }
    }
}

/// Orders and factors symbolically the `n × n` pattern `pattern` (`(row, column)` pairs,
/// duplicates allowed; the diagonal is always stored). Entries outside `n × n` are ignored,
/// their [`entry`](LuPattern::entry) is `u32::MAX`.
///
/// ```
/// use ode_core::linalg::symbolic::analyse;
/// // An arrow: a dense first row and column on a diagonal. Eliminated last, the hub creates
/// // no fill: 3·5 − 2 = 13 entries. (Eliminated first it would fill the whole matrix.)
/// let mut p = vec![];
/// for i in 0..5 { p.push((i, i)); p.push((i, 0)); p.push((0, i)); }
/// let lu = analyse(5, &p);
/// assert_eq!(lu.nnz(), 13);
/// assert!(lu.order[3..].contains(&0)); // the hub, node 0, among the last two
/// ```
pub fn analyse(n: usize, pattern: &[(usize, usize)]) -> LuPattern {
    let adj = symmetric_adjacency(n, pattern);
    let order = nested_dissection(n, &adj);
    factor_pattern(n, pattern, &adj, order)
}

/// The structure of the LU factors of `pattern` (`n` equations) eliminated in the given
/// `order` (`order[k]` the original index eliminated `k`-th; a permutation of `0..n`), for an
/// ordering computed elsewhere (an approximate minimum degree, or one of the user's).
///
/// ```
/// use ode_core::linalg::symbolic::analyse_in_order;
/// // The arrow of `analyse`'s example, its hub eliminated first: the whole matrix fills.
/// let mut p = vec![];
/// for i in 0..5 { p.push((i, i)); p.push((i, 0)); p.push((0, i)); }
/// assert_eq!(analyse_in_order(5, &p, vec![0, 1, 2, 3, 4]).unwrap().nnz(), 25);
/// assert_eq!(analyse_in_order(5, &p, vec![1, 2, 3, 4, 0]).unwrap().nnz(), 13);
/// assert!(analyse_in_order(5, &p, vec![0, 0, 1, 2, 3]).is_none());
/// ```
///
/// Returns `None` when `order` is not a permutation of `0..n`.
pub fn analyse_in_order(
    n: usize,
    pattern: &[(usize, usize)],
    order: Vec<usize>,
) -> Option<LuPattern> {
    let mut seen = vec![false; n];
    if order.len() != n
        || !order
            .iter()
            .all(|&v| v < n && !core::mem::replace(&mut seen[v], true))
    {
        return None;
    }
    let adj = symmetric_adjacency(n, pattern);
    Some(factor_pattern(n, pattern, &adj, order))
}

/// The factors' structure under `order` (the elimination tree of `A + Aᵀ`).
fn factor_pattern(
    n: usize,
    pattern: &[(usize, usize)],
    adj: &Adjacency,
    order: Vec<usize>,
) -> LuPattern {
    let mut inv = vec![0usize; n];
    for (k, &v) in order.iter().enumerate() {
        inv[v] = k;
    }
    // The permuted adjacency, lower part: for row i, the neighbours j < i.
    let mut lower: Vec<Vec<usize>> = vec![Vec::new(); n];
    for v in 0..n {
        let i = inv[v];
        for &u in &adj.neighbours[adj.start[v]..adj.start[v + 1]] {
            let j = inv[u];
            if j < i {
                lower[i].push(j);
            }
        }
    }
    // The elimination tree (Liu's algorithm with path compression through `ancestor`).
    let none = usize::MAX;
    let mut parent = vec![none; n];
    let mut ancestor = vec![none; n];
    for i in 0..n {
        for &j0 in &lower[i] {
            let mut j = j0;
            while ancestor[j] != none && ancestor[j] != i {
                let next = ancestor[j];
                ancestor[j] = i;
                j = next;
            }
            if ancestor[j] == none {
                ancestor[j] = i;
                parent[j] = i;
            }
        }
    }
    // Row structures of L: the row subtrees.
    let mut mark = vec![none; n];
    let mut lrows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        mark[i] = i;
        for &j0 in &lower[i] {
            let mut j = j0;
            while mark[j] != i {
                mark[j] = i;
                lrows[i].push(j);
                j = parent[j];
                if j == none {
                    break;
                }
            }
        }
        lrows[i].sort_unstable();
    }
    // U's rows are L's columns.
    let mut urows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, row) in lrows.iter().enumerate() {
        for &j in row {
            urows[j].push(i);
        }
    }
    let mut row_start = Vec::with_capacity(n + 1);
    let mut cols = Vec::new();
    let mut diag = Vec::with_capacity(n);
    for i in 0..n {
        row_start.push(to_u32(cols.len()));
        cols.extend(lrows[i].iter().map(|&j| to_u32(j)));
        diag.push(to_u32(cols.len()));
        cols.push(to_u32(i));
        // Pushed in increasing i, so already ascending.
        cols.extend(urows[i].iter().map(|&j| to_u32(j)));
    }
    row_start.push(to_u32(cols.len()));
    let entry = pattern
        .iter()
        .map(|&(i, j)| {
            if i >= n || j >= n {
                return u32::MAX;
            }
            let (pi, pj) = (inv[i], inv[j]);
            let row = &cols[row_start[pi] as usize..row_start[pi + 1] as usize];
            match row.binary_search(&to_u32(pj)) {
                Ok(k) => to_u32(row_start[pi] as usize + k),
                Err(_) => unreachable!("the factor pattern contains A's"),
            }
        })
        .collect();
    LuPattern {
        order: order.into_iter().map(to_u32).collect(),
        row_start,
        cols,
        diag,
        inverse: inv.into_iter().map(to_u32).collect(),
        entry,
    }
}

fn to_u32(v: usize) -> u32 {
    match u32::try_from(v) {
        Ok(v) => v,
        Err(_) => panic!("sparse LU: more than 2³² entries"),
    }
}

/// `A + Aᵀ` without its diagonal, in compressed rows.
struct Adjacency {
    start: Vec<usize>,
    neighbours: Vec<usize>,
}

fn symmetric_adjacency(n: usize, pattern: &[(usize, usize)]) -> Adjacency {
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(i, j) in pattern {
        if i < n && j < n && i != j {
            lists[i].push(j);
            lists[j].push(i);
        }
    }
    let mut start = Vec::with_capacity(n + 1);
    let mut neighbours = Vec::new();
    for list in &mut lists {
        list.sort_unstable();
        list.dedup();
        start.push(neighbours.len());
        neighbours.extend_from_slice(list);
    }
    start.push(neighbours.len());
    Adjacency { start, neighbours }
}

/// Parts this small are not dissected further but ordered by minimum degree.
const LEAF: usize = 8;

/// Orders a small part (at most [`LEAF`] nodes) by minimum degree (Tinney & Walker's scheme 2;
/// George & Liu 1981, §5.1): repeatedly eliminate the node with the fewest neighbours in the
/// part's elimination graph, connecting its neighbours, ties to the earliest. Simulated on a
/// bit matrix, so a hub (a dense row and column) goes last and creates no fill.
fn minimum_degree(nodes: &[usize], adj: &Adjacency, region: &[usize], id: usize) -> Vec<usize> {
    let m = nodes.len();
    debug_assert!(m <= LEAF);
    let mut graph = [0u32; LEAF];
    for (a, &v) in nodes.iter().enumerate() {
        for &u in &adj.neighbours[adj.start[v]..adj.start[v + 1]] {
            if region[u] == id {
                if let Some(b) = nodes.iter().position(|&w| w == u) {
                    graph[a] |= 1 << b;
                }
            }
        }
    }
    let mut left: u32 = (1 << m) - 1;
    let mut out = Vec::with_capacity(m);
    while left != 0 {
        let mut best = usize::MAX;
        let mut pick = 0;
        for (a, g) in graph.iter().enumerate().take(m) {
            let degree = (g & left).count_ones() as usize;
            if left & (1 << a) != 0 && degree < best {
                best = degree;
                pick = a;
            }
        }
        let neighbours = graph[pick] & left & !(1 << pick);
        for (b, g) in graph.iter_mut().enumerate().take(m) {
            if neighbours & (1 << b) != 0 {
                *g |= neighbours & !(1 << b);
            }
        }
        left &= !(1 << pick);
        out.push(nodes[pick]);
    }
    out
}

/// George's automatic nested dissection (module docs): the elimination order.
fn nested_dissection(n: usize, adj: &Adjacency) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    // region[v]: the part v currently belongs to; usize::MAX once ordered.
    let done = usize::MAX;
    let mut region = vec![0usize; n];
    let mut next_region = 1;
    let mut search = Search::new(n);
    // A stack of tasks: a part to dissect, or a separator to emit after its halves.
    enum Task {
        Part(Vec<usize>),
        Emit(Vec<usize>),
    }
    let mut tasks = vec![Task::Part((0..n).collect())];
    while let Some(task) = tasks.pop() {
        let nodes = match task {
            Task::Emit(sep) => {
                for &v in &sep {
                    region[v] = done;
                }
                order.extend(sep);
                continue;
            }
            Task::Part(nodes) => nodes,
        };
        let id = region[nodes[0]];
        if nodes.len() <= LEAF {
            let ordered = minimum_degree(&nodes, adj, &region, id);
            for &v in &nodes {
                region[v] = done;
            }
            order.extend(ordered);
            continue;
        }
        // Split off one connected component; the rest goes back on the stack.
        let comp = search.run(adj, nodes[0], id, &region).0;
        if comp.len() < nodes.len() {
            let tag = next_region;
            next_region += 1;
            for &v in &comp {
                region[v] = tag;
            }
            let rest: Vec<usize> = nodes.into_iter().filter(|&v| region[v] == id).collect();
            tasks.push(Task::Part(rest));
            tasks.push(Task::Part(comp));
            continue;
        }
        // A pseudo-peripheral root: repeat the search from a narrowest node of the last level
        // while the eccentricity grows.
        let mut root = nodes[0];
        let (mut comp, mut depth) = search.run(adj, root, id, &region);
        loop {
            let last = comp
                .iter()
                .copied()
                .filter(|&v| search.level[v] == depth)
                .min_by_key(|&v| degree_in(adj, v, id, &region));
            let Some(candidate) = last else { break };
            let (c2, d2) = search.run(adj, candidate, id, &region);
            if d2 <= depth {
                // Restore the levels of the better root.
                let (c3, d3) = search.run(adj, root, id, &region);
                comp = c3;
                depth = d3;
                break;
            }
            root = candidate;
            comp = c2;
            depth = d2;
        }
        if depth < 2 {
            // No level separates it (a clique, a star): order it as it stands.
            for &v in &comp {
                region[v] = done;
            }
            order.extend(comp);
            continue;
        }
        let mid = depth / 2;
        let (low_tag, high_tag) = (next_region, next_region + 1);
        next_region += 2;
        let (mut low, mut high, mut sep) = (Vec::new(), Vec::new(), Vec::new());
        for &v in &comp {
            match search.level[v].cmp(&mid) {
                core::cmp::Ordering::Less => {
                    region[v] = low_tag;
                    low.push(v);
                }
                core::cmp::Ordering::Greater => {
                    region[v] = high_tag;
                    high.push(v);
                }
                core::cmp::Ordering::Equal => sep.push(v),
            }
        }
        // The separator belongs to neither half while they are dissected.
        for &v in &sep {
            region[v] = next_region;
        }
        next_region += 1;
        tasks.push(Task::Emit(sep));
        tasks.push(Task::Part(high));
        tasks.push(Task::Part(low));
    }
    order
}

/// A breadth-first search confined to one region, with its work areas.
struct Search {
    level: Vec<usize>,
    /// `stamp[v] == round`: `v` was reached by the current search.
    stamp: Vec<usize>,
    round: usize,
    queue: Vec<usize>,
}

impl Search {
    fn new(n: usize) -> Self {
        Search {
            level: vec![0; n],
            stamp: vec![0; n],
            round: 0,
            queue: Vec::with_capacity(n),
        }
    }

    /// The nodes of region `id` reachable from `root`, in breadth-first order, with their
    /// levels in `self.level`, and the depth of the structure.
    fn run(
        &mut self,
        adj: &Adjacency,
        root: usize,
        id: usize,
        region: &[usize],
    ) -> (Vec<usize>, usize) {
        self.round += 1;
        let round = self.round;
        self.queue.clear();
        self.queue.push(root);
        self.level[root] = 0;
        self.stamp[root] = round;
        let (mut head, mut depth) = (0, 0);
        while head < self.queue.len() {
            let v = self.queue[head];
            head += 1;
            for &u in &adj.neighbours[adj.start[v]..adj.start[v + 1]] {
                if region[u] == id && self.stamp[u] != round {
                    self.stamp[u] = round;
                    self.level[u] = self.level[v] + 1;
                    depth = depth.max(self.level[u]);
                    self.queue.push(u);
                }
            }
        }
        (self.queue.clone(), depth)
    }
}

fn degree_in(adj: &Adjacency, v: usize, id: usize, region: &[usize]) -> usize {
    adj.neighbours[adj.start[v]..adj.start[v + 1]]
        .iter()
        .filter(|&&u| region[u] == id)
        .count()
}

/// The multiplications a numeric factorisation over `lu` performs: `Σ_k |L_{:,k}|·|U_{k,:}|`.
pub fn factor_flops(lu: &LuPattern) -> usize {
    let n = lu.diag.len();
    let mut col_count = vec![0usize; n];
    for i in 0..n {
        for p in lu.row_start[i]..lu.diag[i] {
            col_count[lu.cols[p as usize] as usize] += 1;
        }
    }
    (0..n)
        .map(|k| col_count[k] * (lu.row_start[k + 1] - lu.diag[k] - 1) as usize)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::{factor_in_place, solve_in_place, Lu};
    use super::*;
    use crate::test_rng::lcg;

    /// The 5-point Laplacian pattern of a `k × k` grid (periodic when `wrap`).
    pub(crate) fn grid(k: usize, wrap: bool) -> Vec<(usize, usize)> {
        let mut p = Vec::new();
        for r in 0..k {
            for c in 0..k {
                let i = r * k + c;
                p.push((i, i));
                let mut link = |r2: isize, c2: isize| {
                    let inside = (0..k as isize).contains(&r2) && (0..k as isize).contains(&c2);
                    if inside || wrap {
                        let (r2, c2) = (r2.rem_euclid(k as isize), c2.rem_euclid(k as isize));
                        p.push((i, r2 as usize * k + c2 as usize));
                    }
                };
                let (r, c) = (r as isize, c as isize);
                link(r - 1, c);
                link(r + 1, c);
                link(r, c - 1);
                link(r, c + 1);
            }
        }
        p
    }

    /// Random patterns of `n` nodes, `extra` off-diagonal entries, not symmetric.
    fn random_pattern(n: usize, extra: usize, rng: &mut u64) -> Vec<(usize, usize)> {
        let mut p: Vec<(usize, usize)> = (0..n).map(|i| (i, i)).collect();
        for _ in 0..extra {
            let i = (lcg(rng) * n as f64) as usize % n;
            let j = (lcg(rng) * n as f64) as usize % n;
            p.push((i, j));
        }
        p
    }

    /// Every entry of a dense elimination without pivoting lies in the structure, and the
    /// sparse solve agrees with the dense one with partial pivoting.
    fn check<const N: usize>(pattern: &[(usize, usize)], rng: &mut u64) {
        let lu = analyse(N, pattern);
        let s = lu.as_structure();
        assert_eq!(s.row_start.len(), N + 1);
        let mut seen = [false; N];
        for &v in &lu.order {
            assert!(!seen[v as usize], "order is a permutation");
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
        // A diagonally dominant matrix with the pattern.
        let mut dense = [[0.0; N]; N];
        let mut values = vec![0.0; lu.nnz()];
        for (k, &(i, j)) in pattern.iter().enumerate() {
            let v = if i == j { 0.0 } else { 2.0 * lcg(rng) - 1.0 };
            dense[i][j] += v;
            values[lu.entry[k] as usize] += v;
        }
        for i in 0..N {
            let row: f64 = dense[i].iter().map(|v: &f64| v.abs()).sum();
            dense[i][i] += row + 1.0;
            values[lu.diag[lu_position(&lu, i)] as usize] += row + 1.0;
        }
        // Dense elimination of P A Pᵀ without pivoting: its non-zeros must be stored.
        let mut pa = [[0.0; N]; N];
        for a in 0..N {
            for b in 0..N {
                pa[a][b] = dense[lu.order[a] as usize][lu.order[b] as usize];
            }
        }
        for k in 0..N {
            for i in k + 1..N {
                let l = pa[i][k] / pa[k][k];
                pa[i][k] = l;
                for j in k + 1..N {
                    pa[i][j] -= l * pa[k][j];
                }
            }
        }
        for i in 0..N {
            for j in 0..N {
                if pa[i][j] != 0.0 {
                    let row = &lu.cols[lu.row_start[i] as usize..lu.row_start[i + 1] as usize];
                    assert!(
                        row.binary_search(&(j as u32)).is_ok(),
                        "fill ({i}, {j}) not stored"
                    );
                }
            }
        }
        let (mut inv, mut work) = (vec![0.0; N], vec![0.0; N]);
        factor_in_place(&s, &mut values, &mut inv, &mut work).unwrap();
        assert!(work.iter().all(|&w| w == 0.0), "work vector left zeroed");
        let mut b: [f64; N] = core::array::from_fn(|_| lcg(rng));
        let mut bd = b;
        let mut x = vec![0.0; N];
        solve_in_place(&s, &values, &inv, &mut b, &mut x);
        Lu::<f64, N>::factor(dense).unwrap().solve(&mut bd);
        for i in 0..N {
            assert!(
                (b[i] - bd[i]).abs() < 1e-12 * (1.0 + bd[i].abs()),
                "{i}: {} {}",
                b[i],
                bd[i]
            );
        }
    }

    /// The eliminated position of original row `i`.
    fn lu_position(lu: &LuPattern, i: usize) -> usize {
        lu.order.iter().position(|&v| v as usize == i).unwrap()
    }

    #[test]
    fn structures_hold_the_fill_and_solve_like_dense_lu() {
        let mut rng = 7;
        for _ in 0..20 {
            check::<30>(&random_pattern(30, 40, &mut rng), &mut rng);
            check::<30>(&random_pattern(30, 150, &mut rng), &mut rng);
            check::<7>(&random_pattern(7, 5, &mut rng), &mut rng);
        }
        check::<49>(&grid(7, false), &mut rng);
        check::<36>(&grid(6, true), &mut rng);
        check::<1>(&[(0, 0)], &mut rng);
        // No entries at all (the diagonal is always stored), and a diagonal-free chain.
        check::<5>(&[], &mut rng);
        check::<40>(&(1..40).map(|i| (i, i - 1)).collect::<Vec<_>>(), &mut rng);
        // Two components.
        let mut two = grid(4, false);
        two.extend(grid(3, false).into_iter().map(|(i, j)| (i + 16, j + 16)));
        check::<25>(&two, &mut rng);
    }

    #[test]
    fn a_path_has_no_fill_beyond_a_few_per_separator_and_an_arrow_none() {
        // The 1-D Laplacian: 3N − 2 entries; nested dissection adds at most one per node.
        let n = 1000;
        let mut p = Vec::new();
        for i in 0..n {
            p.push((i, i));
            if i > 0 {
                p.push((i, i - 1));
                p.push((i - 1, i));
            }
        }
        let lu = analyse(n, &p);
        assert!(lu.nnz() <= 5 * n, "{}", lu.nnz());
        // Arrows (one dense row and column) of every size around the leaf limit, the hub
        // anywhere: eliminated last, it creates no fill, 3n − 2 entries.
        for n in [2usize, 3, 5, LEAF, LEAF + 1, 50] {
            for hub in [0, n / 2, n - 1] {
                let mut p = Vec::new();
                for i in 0..n {
                    p.extend([(i, i), (i, hub), (hub, i)]);
                }
                let lu = analyse(n, &p);
                assert_eq!(lu.nnz(), 3 * n - 2, "n = {n}, hub {hub}");
                // The hub goes once at most one other node is left (then it is a leaf too).
                assert!(lu.order[n - 2..].contains(&(hub as u32)), "n = {n}");
            }
        }
    }

    /// Nested dissection against the natural (band) order on 2-D grids: the band order's
    /// factor has `≈ 2 k³` entries and `≈ k⁴` multiplications (George & Liu 1981, §4.2); nested
    /// dissection's grow as `k² log k` and `k³` (ibid., §8.1), so the gap widens with `k`.
    #[test]
    fn nested_dissection_beats_the_band_order_on_grids() {
        for k in [32usize, 64] {
            let p = grid(k, false);
            let lu = analyse(k * k, &p);
            let band_nnz = 2 * k * k * k;
            let band_flops = k * k * k * k;
            let flops = factor_flops(&lu);
            // Measured: k = 32: 27 222 entries, 279 501 multiplications; k = 64: 139 806 and
            // 2 486 975 (a sixth of the band order's).
            assert!(
                lu.nnz() * 2 < band_nnz && flops * 3 < band_flops,
                "k = {k}: nnz {} vs {band_nnz}, flops {flops} vs {band_flops}",
                lu.nnz()
            );
        }
    }
}
