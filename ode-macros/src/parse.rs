//! The function's signature, read into a model that keeps the user's tokens and spans.
//!
//! `fn name(t: f64, y: [f64; N], p1: f64, ...) -> [f64; N]`: the first argument is the time,
//! the second the state (a name or an array pattern `[x, v]`), the rest are parameters.

use syn::spanned::Spanned;
use syn::{Attribute, Expr, FnArg, Ident, ItemFn, Pat, ReturnType, Type, Visibility};

/// How the body names the state.
#[derive(Debug, Clone)]
pub enum StateBinding {
    /// `y: [f64; N]`, indexed as `y[i]`.
    Named(Ident),
    /// `[x, v]: [f64; 2]`; `None` for `_`.
    Destructured(Vec<Option<Ident>>),
}

/// The signature of an `#[ode_system]` function.
#[derive(Debug, Clone)]
pub struct Signature {
    pub vis: Visibility,
    pub name: Ident,
    /// `lotka_volterra` → `LotkaVolterra`.
    pub struct_name: Ident,
    pub docs: Vec<Attribute>,
    pub time: Option<Ident>,
    pub state: StateBinding,
    pub n: usize,
    pub params: Vec<Ident>,
    /// For each parameter, `None` for `f64`, `Some(M)` for `[f64; M]`.
    pub param_lens: Vec<Option<usize>>,
    /// Parameters whose type was refused (already reported): the body's uses of them are
    /// not reported again.
    pub bad_params: Vec<Ident>,
}

impl Signature {
    /// Each parameter's type: `f64` or `[f64; M]`.
    pub fn param_types(&self) -> Vec<proc_macro2::TokenStream> {
        self.param_lens
            .iter()
            .map(|len| match len {
                None => quote::quote!(f64),
                Some(m) => {
                    let m = proc_macro2::Literal::usize_unsuffixed(*m);
                    quote::quote!([f64; #m])
                }
            })
            .collect()
    }

    /// The parameters one real each, as `∂f/∂p` and `params()` order them: `(name, access)`,
    /// `("a", self.a)` for `a: f64` and `("k[0]", self.k[0])`, … for `k: [f64; M]`.
    pub fn flat_params(&self) -> Vec<(String, proc_macro2::TokenStream)> {
        let mut out = Vec::new();
        for (p, len) in self.params.iter().zip(&self.param_lens) {
            match len {
                None => out.push((p.to_string(), quote::quote!(self.#p))),
                Some(m) => {
                    for i in 0..*m {
                        let k = proc_macro2::Literal::usize_unsuffixed(i);
                        out.push((format!("{p}[{i}]"), quote::quote!(self.#p[#k])));
                    }
                }
            }
        }
        out
    }
}

/// `snake_case` → `CamelCase`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Whether `ty` is `f64`.
pub fn is_f64(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// `e` without the invisible groups `macro_rules!` substitutions leave around it.
fn peel_groups(mut e: &Expr) -> &Expr {
    while let Expr::Group(g) = e {
        e = &g.expr;
    }
    e
}

/// `[f64; N]` → `Ok(N)`; errors name what is wrong.
fn array_len(ty: &Type, what: &str) -> syn::Result<usize> {
    // A length substituted by `macro_rules!` (`[f64; $n]`) arrives wrapped in an invisible group.
    let mut ty = ty;
    while let Type::Group(g) = ty {
        ty = &g.elem;
    }
    match ty {
        Type::Array(arr) if is_f64(&arr.elem) => match peel_groups(&arr.len) {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }) => n.base10_parse::<usize>(),
            other => Err(syn::Error::new_spanned(
                other,
                format!(
                    "the length of the {what} must be an integer literal such as `[f64; 3]` \
                     (the macro sizes the Jacobian at expansion time); write the number itself"
                ),
            )),
        },
        other => Err(syn::Error::new_spanned(
            other,
            format!("the {what} must be an array `[f64; N]` with a literal length N"),
        )),
    }
}

/// Reads the signature, pushing every problem into `errors`; `None` if the state is unusable.
/// A model is returned even when other parts have errors, so the body can still be checked.
pub fn signature(item: &ItemFn, errors: &mut Vec<syn::Error>) -> Option<Signature> {
    let sig = &item.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "an `#[ode_system]` function cannot be generic: the state is `[f64; N]` with a \
             literal `N`",
        ));
    }
    for (flag, what) in [
        (sig.asyncness.map(|a| a.span()), "async"),
        (sig.unsafety.map(|a| a.span()), "unsafe"),
        (sig.constness.map(|a| a.span()), "const"),
    ] {
        if let Some(span) = flag {
            errors.push(syn::Error::new(
                span,
                format!("an `#[ode_system]` function cannot be `{what}`"),
            ));
        }
    }
    let args: Vec<&FnArg> = sig.inputs.iter().collect();
    if args.len() < 2 {
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            "an `#[ode_system]` function takes the time and the state first: \
             `fn f(t: f64, y: [f64; N], parameters...) -> [f64; N]`",
        ));
        return None;
    }
    let mut typed_args = Vec::new();
    for arg in &args {
        match arg {
            FnArg::Typed(pt) => typed_args.push(pt.clone()),
            FnArg::Receiver(r) => {
                errors.push(syn::Error::new_spanned(
                    r,
                    "`#[ode_system]` goes on a free function; parameters are the arguments \
                     after the state",
                ));
                return None;
            }
        }
    }

    // Time.
    let time_arg = &typed_args[0];
    if !is_f64(&time_arg.ty) {
        errors.push(syn::Error::new_spanned(
            &time_arg.ty,
            "the first argument is the time and must be `f64`",
        ));
    }
    let time = match &*time_arg.pat {
        Pat::Ident(p) => Some(p.ident.clone()),
        Pat::Wild(_) => None,
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "the time must be bound to a name (or `_`)",
            ));
            None
        }
    };

    // State.
    let state_arg = &typed_args[1];
    let n = match array_len(&state_arg.ty, "state") {
        Ok(n) => Some(n),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let state = match &*state_arg.pat {
        Pat::Ident(p) => {
            if let Some(m) = p.mutability {
                errors.push(syn::Error::new_spanned(
                    m,
                    "the state cannot be mutable: the right-hand side must not change it; \
                     copy it into a local (`let mut z = y;`) and change that",
                ));
            }
            Some(StateBinding::Named(p.ident.clone()))
        }
        Pat::Slice(s) => {
            let mut names = Vec::new();
            for elem in &s.elems {
                match elem {
                    Pat::Ident(p) if p.subpat.is_none() => {
                        if let Some(m) = p.mutability {
                            errors.push(syn::Error::new_spanned(
                                m,
                                "the state cannot be mutable: the right-hand side must not \
                                 change it; copy the component into a local and change that",
                            ));
                        }
                        names.push(Some(p.ident.clone()));
                    }
                    Pat::Wild(_) => names.push(None),
                    other => {
                        errors.push(syn::Error::new_spanned(
                            other,
                            "each component of the state pattern must be a name or `_`",
                        ));
                        names.push(None);
                    }
                }
            }
            if let Some(n) = n {
                if names.len() != n {
                    errors.push(syn::Error::new_spanned(
                        s,
                        format!(
                            "the state pattern names {} components but the state has {n}",
                            names.len()
                        ),
                    ));
                }
            }
            Some(StateBinding::Destructured(names))
        }
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "the state must be a name (`y`) or an array pattern (`[x, v]`)",
            ));
            None
        }
    };

    // Parameters.
    let mut params = Vec::new();
    let mut param_lens = Vec::new();
    let mut bad_params = Vec::new();
    for arg in &typed_args[2..] {
        let bad_before = errors.len();
        if is_f64(&arg.ty) {
            param_lens.push(None);
        } else if matches!(&*arg.ty, Type::Array(a) if is_f64(&a.elem)) {
            match array_len(&arg.ty, "parameter array") {
                Ok(m) => param_lens.push(Some(m)),
                Err(e) => {
                    errors.push(e);
                    param_lens.push(None);
                }
            }
        } else {
            errors.push(syn::Error::new_spanned(
                &arg.ty,
                "parameters must be `f64` or arrays `[f64; M]` with a literal `M`: they become \
                 the `pub` fields of the generated struct (index an array as `k[i]`)",
            ));
            param_lens.push(None);
        }
        let refused = errors.len() > bad_before;
        match &*arg.pat {
            Pat::Ident(p) if p.subpat.is_none() => {
                if refused {
                    bad_params.push(p.ident.clone());
                }
                if let Some(m) = p.mutability {
                    errors.push(syn::Error::new_spanned(
                        m,
                        "a parameter cannot be mutable: copy it into a local and change that",
                    ));
                }
                params.push(p.ident.clone());
            }
            other => errors.push(syn::Error::new_spanned(
                other,
                "a parameter must be bound to a name: it becomes the struct's field",
            )),
        }
    }

    // Return type.
    match &sig.output {
        ReturnType::Type(_, ty) => match (array_len(ty, "return type"), n) {
            (Ok(m), Some(n)) if m != n => errors.push(syn::Error::new_spanned(
                ty,
                format!("the function returns `[f64; {m}]` but the state has {n} components"),
            )),
            (Err(e), _) => errors.push(e),
            _ => {}
        },
        ReturnType::Default => errors.push(syn::Error::new_spanned(
            &sig.ident,
            "an `#[ode_system]` function returns the derivative of the state: add \
             `-> [f64; N]`",
        )),
    }

    // A signature with errors still yields a model when the state is usable, so that the
    // body is checked in the same expansion; the caller generates nothing from it.
    let docs = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    Some(Signature {
        vis: item.vis.clone(),
        name: sig.ident.clone(),
        struct_name: Ident::new(&camel_case(&sig.ident.to_string()), sig.ident.span()),
        docs,
        time,
        state: state?,
        n: n?,
        params,
        param_lens,
        bad_params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_of_snake_case() {
        assert_eq!(camel_case("lotka_volterra"), "LotkaVolterra");
        assert_eq!(camel_case("robertson"), "Robertson");
        assert_eq!(camel_case("n_body_3"), "NBody3");
    }

    #[test]
    fn reads_a_destructured_state_and_parameters() {
        let item: ItemFn = syn::parse_quote! {
            /// Docs.
            pub fn lotka_volterra(_t: f64, [x, _]: [f64; 2], a: f64, b: f64) -> [f64; 2] {
                [a * x, b]
            }
        };
        let mut errors = Vec::new();
        let sig = signature(&item, &mut errors).expect("valid");
        assert!(errors.is_empty());
        assert_eq!(sig.n, 2);
        assert_eq!(sig.struct_name, "LotkaVolterra");
        assert_eq!(sig.params.len(), 2);
        assert_eq!(sig.docs.len(), 1);
        assert!(matches!(sig.state, StateBinding::Destructured(ref v) if v[1].is_none()));
    }
}
