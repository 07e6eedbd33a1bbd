//! Every size `N = 1..=300`, and a few larger, of the chain and heat-equation sweeps
//! (`tests/sweeps/large_n.rs` of the `odegen` package), on code compiled with `opt-level = 3`.

#[path = "../../tests/sweeps/large_n.rs"]
#[macro_use]
mod large_n;
use large_n::{check_size, check_size_solve_ivp};

/// Relative tolerance of the sweeps, and the largest relative error accepted: eight times the
/// largest measured at these tolerances (2.5e-6, BDF's chain at N = 500, in
/// `cargo run --release --example heat_equation`).
const RTOL: f64 = 1e-6;
const BOUND: f64 = 2e-5;

#[test]
fn every_size_from_1_to_300_starts_and_reaches_the_exact_solution() {
    sweep_sizes!(check_size, RTOL, BOUND; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 
27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 
60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 
93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 
119 120 121 122 123 124 125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 
144 145 146 147 148 149 150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 
169 170 171 172 173 174 175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 
194 195 196 197 198 199 200 201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 
219 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 
244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 259 260 261 262 263 264 265 266 267 268 
269 270 271 272 273 274 275 276 277 278 279 280 281 282 283 284 285 286 287 288 289 290 291 292 293 
294 295 296 297 298 299 300);
}

#[test]
fn larger_sizes_start_and_reach_the_exact_solution() {
    sweep_sizes!(check_size, RTOL, BOUND; 400 500 700);
}

#[test]
fn solve_ivp_starts_and_reaches_the_exact_solution_from_80_to_300() {
    sweep_sizes!(check_size_solve_ivp, RTOL, BOUND; 80 90 100 128 150 200 256 300);
}

/// `solve_ivp` at `N = 1000` on a thread of 2 MiB with every method: Radau5's matrices alone
/// take 32 MB, on the heap.
#[test]
fn solve_ivp_integrates_n_1000_on_a_2_mib_thread_with_every_method() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(large_n::every_method_on_a_small_stack::<1000>)
        .unwrap()
        .join()
        .unwrap();
}
