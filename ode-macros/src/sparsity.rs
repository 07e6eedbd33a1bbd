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
        let (colors, n_colors) = ode_core::finite_diff::color_columns(n, rows);
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
