//! The Jacobian's structural non-zeros and a Curtis–Powell–Reid column colouring.
//!
//! Two columns may share a colour when no row has a non-zero in both (they are *structurally
//! orthogonal*); then one evaluation of `f` with both perturbed recovers both columns
//! (Curtis, Powell & Reid, "On the estimation of sparse Jacobian matrices", *J. Inst. Math.
//! Appl.* 13 (1974) 117–119). Finding the fewest colours is the colouring of the column
//! intersection graph, NP-hard in general; the greedy colouring in largest-degree-first order
//! (Welsh & Powell 1967) is the usual heuristic and is exact on banded and block patterns.

/// The pattern as `(row, column)` pairs, row-major, and the colouring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub n: usize,
    pub entries: Vec<(usize, usize)>,
    pub colors: Vec<usize>,
    pub n_colors: usize,
}

impl Pattern {
    /// Builds the pattern from each row's sorted column indices and colours its columns.
    pub fn new(n: usize, rows: &[Vec<usize>]) -> Self {
        let entries: Vec<(usize, usize)> = rows
            .iter()
            .enumerate()
            .flat_map(|(i, cols)| cols.iter().map(move |&j| (i, j)))
            .collect();
        let (colors, n_colors) = color_columns(n, rows);
        Pattern {
            n,
            entries,
            colors,
            n_colors,
        }
    }

    /// The dense pattern: used when the body was not analysed.
    pub fn dense(n: usize) -> Self {
        let rows: Vec<Vec<usize>> = (0..n).map(|_| (0..n).collect()).collect();
        Self::new(n, &rows)
    }
}

/// Greedy colouring of the column intersection graph in largest-degree-first order.
///
/// The neighbours of a column are never stored: colouring column `j` marks the colours of the
/// columns in each of its rows, which costs `Σ_i len_i²` over the rows, linear in the
/// non-zeros for banded patterns. A full pattern is recognised and coloured `0..n` outright.
fn color_columns(n: usize, rows: &[Vec<usize>]) -> (Vec<usize>, usize) {
    let nnz: usize = rows.iter().map(Vec::len).sum();
    if n > 0 && nnz == n * n {
        return ((0..n).collect(), n);
    }
    let mut col_rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, cols) in rows.iter().enumerate() {
        for &j in cols {
            col_rows[j].push(i);
        }
    }
    // The degree bound Σ over a column's rows of their lengths orders the columns (exact up
    // to columns met in several rows), without forming the intersection graph.
    let weight: Vec<usize> = col_rows
        .iter()
        .map(|rs| rs.iter().map(|&i| rows[i].len()).sum())
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| (std::cmp::Reverse(weight[j]), j));
    let mut colors = vec![usize::MAX; n];
    let mut n_colors = 0;
    // `mark[c] == j + 1`: colour c is taken by a neighbour of column j.
    let mut mark: Vec<usize> = vec![0; n + 1];
    for &j in &order {
        for &i in &col_rows[j] {
            for &k in &rows[i] {
                if k != j && colors[k] != usize::MAX {
                    mark[colors[k]] = j + 1;
                }
            }
        }
        let c = (0..=n_colors)
            .find(|&c| mark[c] != j + 1)
            .unwrap_or(n_colors);
        colors[j] = c;
        n_colors = n_colors.max(c + 1);
    }
    // Columns without non-zeros take colour 0 (they need no evaluation but must be coloured).
    (colors, n_colors.max(usize::from(n > 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_orthogonal(p: &Pattern) {
        for &(i, j) in &p.entries {
            for &(k, l) in &p.entries {
                if i == k && j != l {
                    assert_ne!(p.colors[j], p.colors[l], "row {i}: columns {j}, {l}");
                }
            }
        }
    }

    #[test]
    fn tridiagonal_needs_three_colours() {
        let n: usize = 10;
        let rows: Vec<Vec<usize>> = (0..n)
            .map(|i| (i.saturating_sub(1)..=(i + 1).min(n - 1)).collect())
            .collect();
        let p = Pattern::new(n, &rows);
        check_orthogonal(&p);
        assert_eq!(p.n_colors, 3);
    }

    #[test]
    fn dense_needs_one_colour_per_column() {
        let p = Pattern::dense(4);
        check_orthogonal(&p);
        assert_eq!(p.n_colors, 4);
        assert_eq!(p.entries.len(), 16);
    }

    #[test]
    fn diagonal_needs_one_colour() {
        let rows: Vec<Vec<usize>> = (0..5).map(|i| vec![i]).collect();
        let p = Pattern::new(5, &rows);
        assert_eq!(p.n_colors, 1);
    }
}
