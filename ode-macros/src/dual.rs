//! The copy of the user's function over dual numbers, for `#[ode_system(jacobian = dual)]`.
//!
//! The copy takes the time, the state and the parameters as `num_dual::Dual64` and rewrites
//! what would not type-check over them: `f64` in types becomes `Dual64`, float literals and
//! named constants become `Dual64::from(...)`, `x as f64` becomes `Dual64::from(x as f64)`,
//! and `powf` with a non-literal exponent becomes num-dual's `powd`. Integer positions (indices,
//! loop bounds, array lengths, `powi` exponents) are left alone. Functions the body calls must
//! accept `Dual64` (be generic over `num_dual::DualNum<f64>`); rustc reports it otherwise.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Expr, ItemFn, Lit, Type};

use crate::parse::is_f64;

struct ToDual;

fn dual_type() -> Type {
    parse_quote!(::odegen::__private::Dual64)
}

fn is_float_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Float(_) => true,
            Lit::Int(i) => i.suffix() == "f64",
            _ => false,
        },
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && is_float_literal(&u.expr),
        Expr::Paren(p) => is_float_literal(&p.expr),
        _ => false,
    }
}

impl VisitMut for ToDual {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if is_f64(ty) {
            *ty = dual_type();
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let d = dual_type();
        match e {
            Expr::Lit(_) if is_float_literal(e) => {
                let lit = e.clone();
                *e = parse_quote!(<#d>::from(#lit));
            }
            Expr::Cast(c) if is_f64(&c.ty) => {
                let inner = &c.expr;
                *e = parse_quote!(<#d>::from((#inner) as f64));
            }
            Expr::Path(p)
                if p.qself.is_none()
                    && p.path.segments.last().is_some_and(|s| {
                        s.ident
                            .to_string()
                            .chars()
                            .next()
                            .is_some_and(char::is_uppercase)
                    }) =>
            {
                let path = p.clone();
                *e = parse_quote!(<#d>::from(#path));
            }
            // `f64::sin(x)` → `x.sin()`: the method forms below then apply.
            Expr::Call(c)
                if !c.args.is_empty()
                    && matches!(&*c.func, Expr::Path(p) if p.qself.is_none()
                        && p.path.segments.len() == 2
                        && p.path.segments[0].ident == "f64") =>
            {
                let Expr::Path(p) = &*c.func else {
                    unreachable!("matched above")
                };
                let method = p.path.segments[1].ident.clone();
                let mut args = c.args.clone().into_iter();
                let receiver = args.next().expect("checked non-empty");
                let rest: Vec<Expr> = args.collect();
                *e = parse_quote!((#receiver).#method(#(#rest),*));
                self.visit_expr_mut(e);
            }
            Expr::MethodCall(m) if m.method == "powi" => self.visit_expr_mut(&mut m.receiver),
            // num-dual's `log` takes an `f64` base: keep a literal one, else ln x / ln b.
            Expr::MethodCall(m) if m.method == "log" && m.args.len() == 1 => {
                self.visit_expr_mut(&mut m.receiver);
                if !m.args.first().is_some_and(is_float_literal) {
                    let x = &m.receiver;
                    let mut b = m.args[0].clone();
                    self.visit_expr_mut(&mut b);
                    *e = parse_quote!(((#x).ln() / (#b).ln()));
                }
            }
            Expr::MethodCall(m) if m.method == "powf" => {
                self.visit_expr_mut(&mut m.receiver);
                if !m.args.first().is_some_and(is_float_literal) {
                    m.method = format_ident!("powd", span = m.method.span());
                    m.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
                }
            }
            Expr::Index(ix) => self.visit_expr_mut(&mut ix.expr),
            Expr::Repeat(r) => self.visit_expr_mut(&mut r.expr),
            Expr::ForLoop(f) => {
                for stmt in &mut f.body.stmts {
                    self.visit_stmt_mut(stmt);
                }
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
}

/// The dual copy of `item`, named `__odegen_dual_<name>`.
pub fn copy(item: &ItemFn) -> (syn::Ident, TokenStream) {
    let mut f = item.clone();
    let name = format_ident!("__odegen_dual_{}", item.sig.ident);
    f.sig.ident = name.clone();
    f.attrs.retain(|a| !a.path().is_ident("doc"));
    f.vis = syn::Visibility::Inherited;
    ToDual.visit_signature_mut(&mut f.sig);
    ToDual.visit_block_mut(&mut f.block);
    // Methods num-dual lacks on `Dual64` (`max`, `min`, `hypot`, `abs`, `signum`) come from an
    // extension trait; it and `DualNum` are brought into the copy's scope.
    let mut with_imports = f;
    with_imports.block.stmts.insert(
        0,
        parse_quote!(
            #[allow(unused_imports)]
            use ::odegen::__private::{DualExt as _, DualNum as _};
        ),
    );
    let tokens_with = quote! {
        #[doc(hidden)]
        #[allow(dead_code, unused_variables, unused_mut, non_snake_case, clippy::all)]
        #with_imports
    };
    (name, tokens_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_types_and_casts_become_dual_but_indices_do_not() {
        let item: ItemFn = parse_quote! {
            fn f(t: f64, y: [f64; 2], k: f64) -> [f64; 2] {
                let mut s: f64 = 0.0;
                for j in 0..2 { s += (j as f64) * y[j].powf(1.5) * y[j].powf(k) * y[j].powi(2); }
                [s * PI, -2.0 * y[1]]
            }
        };
        let (name, tokens) = copy(&item);
        assert_eq!(name, "__odegen_dual_f");
        let text = tokens.to_string().replace(' ', "");
        assert!(text.contains("y:[::odegen::__private::Dual64;2]"), "{text}");
        assert!(
            text.contains("letmuts:::odegen::__private::Dual64="),
            "{text}"
        );
        assert!(text.contains("powf(1.5)"), "{text}");
        assert!(text.contains("powd(k)"), "{text}");
        assert!(text.contains("powi(2)"), "{text}");
        assert!(text.contains("y[j]"), "{text}");
        assert!(text.contains("from(PI)"), "{text}");
        assert!(text.contains("from((j)asf64)"), "{text}");
    }
}
