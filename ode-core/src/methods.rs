//! The table of methods, from which everything that lists them is generated.

/// The table of methods: one row per method — its variant, its name, the other names
/// `Method::from_str` accepts (compared without regard to case), how
/// `solve_ivp` drives it and its stepper type, and its documentation. Everything that lists
/// methods is generated from here: the `Method` enum, its `Display` and `FromStr`,
/// `Method::ALL`, the predicates, `solve_ivp`'s dispatch and the crate's re-exports of the
/// steppers. A new method is its stepper plus one row. The order is the classical order of the propagated solution (the highest,
/// for the variable-order methods).
macro_rules! method_table {
    ($callback:ident) => {
        $callback! {
            (Rk23, "RK23", ["BogackiShampine", "BS23"], adaptive, Rk23, 3,
                "Bogacki–Shampine 3(2), adaptive ([`Rk23`]); SciPy's `RK23`."),
            (Rk45, "RK45", ["Dopri5", "DormandPrince", "DP5"], adaptive, Dopri5, 5,
                "Dormand–Prince 5(4), adaptive ([`Dopri5`]); SciPy's default `RK45`."),
            (Dop853, "DOP853", ["Dop853"], adaptive, Dop853, 8,
                "Hairer's DOP853, adaptive, order 8 ([`Dop853`]); SciPy's `DOP853`."),
            (HighamHall54, "HighamHall54", ["HH54"], adaptive, HighamHall54, 5,
                "Higham–Hall 5(4), adaptive ([`HighamHall54`])."),
            (Tsit5, "Tsit5", ["Tsitouras5"], adaptive, Tsit5, 5,
                "Tsitouras 5(4), adaptive ([`Tsit5`])."),
            (Rkf45, "RKF45", ["Fehlberg", "Fehlberg45"], adaptive, Rkf45, 4,
                "Runge–Kutta–Fehlberg 4(5), adaptive ([`Rkf45`]); not first-same-as-last."),
            (Euler, "Euler", ["ExplicitEuler"], fixed, Euler, 1,
                "Explicit Euler, fixed step `first_step`."),
            (Midpoint, "Midpoint", [], fixed, Midpoint, 2,
                "Explicit midpoint, fixed step `first_step`."),
            (Rk4, "RK4", ["ClassicalRK4"], fixed, Rk4, 4,
                "Classical Runge–Kutta, fixed step `first_step`."),
            (Gill, "Gill", [], fixed, Gill, 4,
                "Gill's method, fixed step `first_step`."),
            (ThreeEighths, "3/8 rule", ["ThreeEighths"], fixed, ThreeEighths, 4,
                "Kutta's 3/8 rule, fixed step `first_step`."),
            (Luther, "Luther", [], fixed, Luther, 6,
                "Luther's 6th-order method, fixed step `first_step`."),
            (Radau, "Radau", ["Radau5", "RadauIIA5"], radau, Radau5, 5,
                "Radau IIA of order 5, implicit, for stiff problems ([`Radau5`], Hairer's \
RADAU5); SciPy's `Radau`; real, complex or dual states."),
            (AdaptiveRadau, "AdaptiveRadau", ["RadauIIA"], radau, AdaptiveRadau, 13,
                "Radau IIA of variable order 5, 9 or 13, implicit, for stiff problems at tight \
tolerances ([`AdaptiveRadau`], Hairer's RADAU); real, complex or dual states."),
            (Bdf, "BDF", ["NDF"], bdf, Bdf, 5,
                "Variable-order NDF/BDF 1–5, implicit, for stiff problems ([`Bdf`], SciPy's \
`BDF`); real or complex states."),
            (Rodas5P, "Rodas5P", [], rosenbrock, Rodas5P, 5,
                "Steinebach's Rodas5P, a Rosenbrock method of order 5(4), for stiff problems \
at moderate tolerances ([`Rodas5P`]); any state type."),
            (Rodas4, "Rodas4", ["RODAS"], rosenbrock, Rodas4, 4,
                "Hairer & Wanner's RODAS, a Rosenbrock method of order 4(3) ([`Rodas4`])."),
            (Rosenbrock23, "Rosenbrock23", ["ode23s"], rosenbrock, Rosenbrock23, 2,
                "Shampine & Reichelt's `ode23s`, a Rosenbrock method of order 2(3), for stiff \
problems at crude tolerances ([`Rosenbrock23`])."),
        }
    };
}

/// The crate-root re-export of each stepper of the table (from `explicit` or `implicit`).
macro_rules! reexport_methods {
    ($( ($variant:ident, $name:literal, [$($alias:literal),*], $kind:ident, $ty:ident, $order:literal, $doc:literal) ),* $(,)?) => {
        $( reexport_methods!(@ $kind $ty); )*
    };
    (@ adaptive $ty:ident) => {
        pub use explicit::$ty;
    };
    (@ fixed $ty:ident) => {
        pub use explicit::$ty;
    };
    (@ $implicit:ident $ty:ident) => {
        pub use implicit::$ty;
    };
}
