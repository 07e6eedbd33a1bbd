//! # ode-macros
//!
//! The `#[ode_system]` attribute of odegen: it turns an annotated Rust function
//! `fn name(t: f64, y: [f64; N], p1: f64, ...) -> [f64; N]` into a statically sized system — a
//! struct whose fields are the parameters, its right-hand side, an analytic Jacobian derived
//! symbolically at expansion time, the Jacobian's sparsity pattern and column colouring, the
//! parameter Jacobian, and an event set for zero-crossing functions declared beside it.
//!
//! The stages, one module each: [`options`] (the attribute's arguments), [`parse`] (the
//! signature), [`lower`] (the body into the expression graph, and every check), [`ir`] (the
//! hash-consed graph with its simplifications), [`diff`] (one derivative rule per function),
//! [`sparsity`] (pattern and colouring), [`codegen`] (the generated items), and [`dual`] (the
//! dual-number copy behind `jacobian = dual`). The user-facing documentation lives on the
//! re-export `odegen::ode_system`.
#![forbid(unsafe_code)]

mod codegen;
mod diff;
mod dual;
mod ir;
mod lower;
mod options;
mod parse;
mod rolled;
mod sparsity;

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::Symbolic;
use crate::diff::Differentiator;
use crate::ir::{Graph, Var};
use crate::options::{JacobianMode, LoopMode};
use crate::sparsity::Pattern;

/// Turns `fn name(t: f64, y: [f64; N], parameters...) -> [f64; N]` into a system struct with
/// an analytic Jacobian; see `odegen::ode_system` for the documentation.
#[proc_macro_attribute]
pub fn ode_system(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    expand(attr.into(), item.into()).into()
}

/// Figures of one expansion, for the cost measurements.
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(not(test), allow(dead_code))]
struct ExpansionStats {
    nodes: usize,
    nnz: usize,
    /// Whether the loops were kept rolled.
    rolled: bool,
}

fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_with_stats(attr, item).0
}

fn expand_with_stats(attr: TokenStream, item: TokenStream) -> (TokenStream, ExpansionStats) {
    let mut errors = Vec::new();
    let mut stats = ExpansionStats::default();
    let options = options::parse(attr, &mut errors);
    let func: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[ode_system]` goes on a function `fn name(t: f64, y: [f64; N], \
                 parameters...) -> [f64; N]`",
            )
            .to_compile_error();
            return (quote!(#e #item), stats);
        }
    };
    let before = errors.len();
    let sig = parse::signature(&func, &mut errors);
    if let (Some(sig), JacobianMode::Dual) = (&sig, options.jacobian) {
        for (p, len) in sig.params.iter().zip(&sig.param_lens) {
            if len.is_some() {
                errors.push(syn::Error::new(
                    p.span(),
                    "array parameters are not supported with `jacobian = dual`: drop the \
                     option (the symbolic Jacobian takes them), use `jacobian = fd`, or pass \
                     the elements as `f64` parameters",
                ));
            }
        }
    }
    let signature_ok = errors.len() == before;
    let mut generated = TokenStream::new();
    let mut dual_tokens = TokenStream::new();
    let rolled = match &sig {
        Some(sig) => roll(sig, &options, &func.block, &mut errors),
        None => None,
    };
    if let (Some(sig), Some(r)) = (&sig, &rolled) {
        let errors_before_analysis = errors.len();
        let nnz: usize = r.rows.iter().map(Vec::len).sum();
        if nnz > PATTERN_BUDGET {
            errors.push(syn::Error::new(
                sig.name.span(),
                format!(
                    "the Jacobian of this system has {nnz} structural non-zeros, past the \
                     budget of {PATTERN_BUDGET} for a generated sparsity pattern; write the \
                     system as a plain `impl OdeSystem`"
                ),
            ));
        }
        if r.symbolic {
            let (roots, writes) = r.code_size();
            let nodes = needed_nodes(&r.graph, &roots);
            if nodes + writes > GENERATED_BUDGET {
                errors.push(syn::Error::new(
                    sig.name.span(),
                    format!(
                        "the analytic Jacobian of these loops would be {writes} writes over \
                         {nodes} expression nodes, past the budget of {GENERATED_BUDGET} that \
                         keeps compilation bounded; use `#[ode_system(jacobian = fd)]`"
                    ),
                ));
            }
        }
        stats.nodes = r.graph.len();
        stats.rolled = true;
        let pattern = Pattern::new(sig.n, &r.rows);
        stats.nnz = pattern.entries.len();
        let dual = dual_copy(&options, &func, &mut dual_tokens);
        if signature_ok && errors.len() == errors_before_analysis {
            generated =
                codegen::system(sig, &options, None, Some(r), &pattern, true, dual.as_ref());
        }
    } else if let Some(sig) = sig.as_ref().filter(|_| options.loops != LoopMode::Rolled) {
        let mut graph = Graph::new();
        let mut body_errors = Vec::new();
        let outputs = lower::lower(&mut graph, sig, &func.block, &mut body_errors);
        if options.jacobian == JacobianMode::Symbolic {
            errors.append(&mut body_errors);
        }
        // Rows of the pattern: from the derivatives in symbolic mode (cancelled entries
        // dropped), from the dependency sets otherwise (no differentiation needed).
        let errors_before_analysis = errors.len();
        // The structural non-zeros bound the pattern in every mode: too many, and nothing is
        // differentiated or generated.
        let outputs = outputs.filter(|outs| {
            let nnz: usize = outs
                .iter()
                .map(|&o| {
                    graph
                        .deps(o)
                        .iter()
                        .filter(|v| matches!(v, Var::State(_)))
                        .count()
                })
                .sum();
            if nnz > PATTERN_BUDGET {
                errors.push(syn::Error::new(
                    sig.name.span(),
                    format!(
                        "the Jacobian of this system has {nnz} structural non-zeros, past the \
                         budget of {PATTERN_BUDGET} for a generated sparsity pattern (the \
                         analytic Jacobian, or the pattern of `jacobian = fd`); write the system \
                         as a plain `impl OdeSystem` (finite differences, nothing generated)"
                    ),
                ));
            }
            nnz <= PATTERN_BUDGET
        });
        let (symbolic, rows) = match (options.jacobian, outputs) {
            (JacobianMode::Symbolic, Some(outputs)) => {
                let analysed = analyse(graph, outputs, sig, &mut errors);
                let rows = analysed.as_ref().map(|a| {
                    let mut rows = vec![Vec::new(); sig.n];
                    for &(i, j) in &a.jac_entries {
                        rows[i].push(j);
                    }
                    rows
                });
                (analysed, rows)
            }
            (_, Some(outputs)) if !graph.overflowed() => {
                let rows = outputs
                    .iter()
                    .map(|&out| {
                        graph
                            .deps(out)
                            .iter()
                            .filter_map(|v| match v {
                                Var::State(j) => Some(*j),
                                _ => None,
                            })
                            .collect()
                    })
                    .collect();
                (None, Some(rows))
            }
            _ => (None, None),
        };
        if let Some(s) = &symbolic {
            stats.nodes = s.graph.len();
        }
        let analysed = rows.is_some();
        let pattern = match rows {
            Some(rows) => Pattern::new(sig.n, &rows),
            None => Pattern::dense(sig.n),
        };
        stats.nnz = pattern.entries.len();
        let dual = dual_copy(&options, &func, &mut dual_tokens);
        let symbolic = symbolic.map(|s| s.symbolic);
        // A budget exceeded (or any error of the analysis) generates nothing more: the point
        // is to spare rustc the code.
        if signature_ok && errors.len() == errors_before_analysis {
            generated = codegen::system(
                sig,
                &options,
                symbolic.as_ref(),
                None,
                &pattern,
                analysed,
                dual.as_ref(),
            );
        }
    }
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    (
        quote! {
            #(#errors)*
            #func
            #dual_tokens
            #generated
        },
        stats,
    )
}

/// Lowers the body with its loops rolled when the options and the system ask for it; `None`
/// when it is lowered unrolled instead (with `loops = rolled`, the reason is then an error).
fn roll(
    sig: &parse::Signature,
    options: &options::Options,
    block: &syn::Block,
    errors: &mut Vec<syn::Error>,
) -> Option<rolled::Rolled> {
    let attempt = match options.loops {
        LoopMode::Rolled => true,
        LoopMode::Unrolled => false,
        LoopMode::Auto => sig.n >= rolled::ROLL_MIN_N && has_loop(block),
    };
    if !attempt {
        return None;
    }
    let mut graph = Graph::new();
    let symbolic = options.jacobian == JacobianMode::Symbolic;
    let outcome = lower::lower_rolled(&mut graph, sig, block)
        .map_err(rolled::Outcome::Fallback)
        .and_then(|body| rolled::analyse(graph, body, sig.n, symbolic));
    match outcome {
        Ok(r) => Some(r),
        Err(why) => {
            if options.loops == LoopMode::Rolled {
                errors.push(match why {
                    rolled::Outcome::Error(e) => e,
                    rolled::Outcome::Fallback(reason) => syn::Error::new(
                        sig.name.span(),
                        format!(
                            "the loops of this body cannot stay rolled: {reason}; remove \
                             `loops = rolled` and the macro unrolls them"
                        ),
                    ),
                });
            }
            None
        }
    }
}

/// The name of the dual-number copy of the function behind `jacobian = dual` (its tokens into
/// `tokens`), or `None` in the other modes.
fn dual_copy(
    options: &options::Options,
    func: &syn::ItemFn,
    tokens: &mut TokenStream,
) -> Option<syn::Ident> {
    (options.jacobian == JacobianMode::Dual).then(|| {
        let (name, copy) = dual::copy(func);
        *tokens = copy;
        name
    })
}

/// Whether the body has a `for` loop anywhere.
fn has_loop(block: &syn::Block) -> bool {
    use syn::visit::Visit;
    struct Find(bool);
    impl<'a> Visit<'a> for Find {
        fn visit_expr_for_loop(&mut self, _: &'a syn::ExprForLoop) {
            self.0 = true;
        }
    }
    let mut find = Find(false);
    find.visit_block(block);
    find.0
}

/// The most non-zeros plus expression nodes an analytic Jacobian may generate. Measured on a
/// dense system (`dy_i = −y_i Σ y_j²`, `cargo build`, debug): 100 components (10 000
/// non-zeros, about 30 000 in all) compile in 16 s and 1.0 GB, 200 components in 70 s and
/// 4.8 GB, 300 in 5.6 min and 14 GB; 120 components (43 799) are refused.
const GENERATED_BUDGET: usize = 40_000;

/// The most non-zeros a sparsity pattern may have (its `PATTERN` and colouring are generated
/// in every Jacobian mode).
const PATTERN_BUDGET: usize = 250_000;

/// The number of distinct graph nodes the `roots` need (what the code generator emits).
fn needed_nodes(graph: &Graph, roots: &[ir::Id]) -> usize {
    let mut seen = vec![false; graph.len()];
    let mut stack: Vec<ir::Id> = roots.to_vec();
    let mut count = 0;
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id as usize], true) {
            continue;
        }
        count += 1;
        stack.extend(graph.children(id));
    }
    count
}

struct Analysed {
    symbolic: Symbolic,
    jac_entries: Vec<(usize, usize)>,
}

impl std::ops::Deref for Analysed {
    type Target = Symbolic;
    fn deref(&self) -> &Symbolic {
        &self.symbolic
    }
}

/// Differentiates the outputs: the Jacobian's and the parameter Jacobian's non-zeros.
fn analyse(
    mut graph: Graph,
    outputs: Vec<ir::Id>,
    sig: &parse::Signature,
    errors: &mut Vec<syn::Error>,
) -> Option<Analysed> {
    let mut d = Differentiator::new();
    let mut jac_entries = Vec::new();
    let mut jac = Vec::new();
    let mut pjac = Vec::new();
    let mut dfdt = Vec::new();
    for (i, &out) in outputs.iter().enumerate() {
        let deps: Vec<Var> = graph.deps(out).to_vec();
        for v in deps {
            let dij = d.derivative(&mut graph, out, v);
            if graph.constant(dij) == Some(0.0) {
                continue; // a dependency whose derivative cancelled: a structural zero
            }
            match v {
                Var::State(j) => {
                    jac_entries.push((i, j));
                    jac.push(dij);
                }
                Var::Param(k) => pjac.push((i, k, dij)),
                Var::Time => dfdt.push((i, dij)),
                Var::Gather(_) => unreachable!("an unrolled body reads the state at known indices"),
            }
        }
    }
    if graph.overflowed() {
        errors.push(syn::Error::new(
            sig.name.span(),
            format!(
                "the Jacobian's expression graph grew past {} nodes; expansion stops here \
                 rather than take unbounded time. Use `#[ode_system(jacobian = fd)]` for a \
                 system this large",
                ir::MAX_NODES
            ),
        ));
        return None;
    }
    // What rustc will compile: one assignment per non-zero of ∂f/∂y and ∂f/∂p, and the
    // expression nodes they need, each in the fused and the plain Jacobian.
    let mut roots = jac.clone();
    roots.extend(pjac.iter().map(|&(_, _, d)| d));
    roots.extend(dfdt.iter().map(|&(_, d)| d));
    let nodes = needed_nodes(&graph, &roots);
    let size = jac.len() + pjac.len() + dfdt.len() + nodes;
    if size > GENERATED_BUDGET {
        errors.push(syn::Error::new(
            sig.name.span(),
            format!(
                "the analytic Jacobian of this system would be {} non-zeros over {nodes} \
                 expression nodes ({size} in all), past the budget of {GENERATED_BUDGET} that \
                 keeps compilation bounded (a dense 300-component system took rustc 5.6 min and \
                 14 GB); use `#[ode_system(jacobian = fd)]` (finite differences over the same \
                 sparsity pattern, no generated Jacobian), or write the system as a plain \
                 `impl OdeSystem`",
                jac.len() + pjac.len()
            ),
        ));
        return None;
    }
    // `deps` are sorted with all states before parameters, so `jac_entries` is row-major.
    let symbolic = Symbolic {
        graph,
        outputs,
        jac,
        pjac,
        dfdt,
    };
    Some(Analysed {
        symbolic,
        jac_entries,
    })
}

#[cfg(test)]
mod expansion_tests;
