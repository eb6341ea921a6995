;; Popcount kernels for bit-packed 0/1 columns (see ../bit-columns.ts). Columns are arrays of
;; 64-bit words in this module's memory; addresses are byte offsets, w is the number of 64-bit
;; words per column. The build turns this file into popcount-wasm.ts (npm run build:wasm).
(module
  (memory (export "memory") 1)

  ;; popcount(a AND b) over w words.
  (func $n11 (export "n11") (param $a i32) (param $b i32) (param $w i32) (result i32)
    (local $end i32) (local $s i64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $w) (i32.const 3))))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $s (i64.add (local.get $s)
          (i64.popcnt (i64.and (i64.load (local.get $a)) (i64.load (local.get $b))))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $words)))
    (i32.wrap_i64 (local.get $s)))

  ;; Counts over the models both columns observe, with bits x, y and observed-masks mx, my:
  ;; returns n11 = |x ∧ y|, and stores c = |mx ∧ my|, sx = |x ∧ my|, sy = |mx ∧ y| at out.
  (func $masked (export "masked") (param $x i32) (param $y i32) (param $mx i32) (param $my i32) (param $w i32) (param $out i32) (result i32)
    (local $end i32) (local $n11 i64) (local $c i64) (local $sx i64) (local $sy i64)
    (local $vx i64) (local $vy i64) (local $vmx i64) (local $vmy i64)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $w) (i32.const 3))))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $vx (i64.load (local.get $x)))
        (local.set $vy (i64.load (local.get $y)))
        (local.set $vmx (i64.load (local.get $mx)))
        (local.set $vmy (i64.load (local.get $my)))
        (local.set $n11 (i64.add (local.get $n11) (i64.popcnt (i64.and (local.get $vx) (local.get $vy)))))
        (local.set $c (i64.add (local.get $c) (i64.popcnt (i64.and (local.get $vmx) (local.get $vmy)))))
        (local.set $sx (i64.add (local.get $sx) (i64.popcnt (i64.and (local.get $vx) (local.get $vmy)))))
        (local.set $sy (i64.add (local.get $sy) (i64.popcnt (i64.and (local.get $vmx) (local.get $vy)))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (local.set $mx (i32.add (local.get $mx) (i32.const 8)))
        (local.set $my (i32.add (local.get $my) (i32.const 8)))
        (br $words)))
    (i32.store (local.get $out) (i32.wrap_i64 (local.get $c)))
    (i32.store offset=4 (local.get $out) (i32.wrap_i64 (local.get $sx)))
    (i32.store offset=8 (local.get $out) (i32.wrap_i64 (local.get $sy)))
    (i32.wrap_i64 (local.get $n11)))
;; Column y against `count` columns x0, x0 + stride, …: n11 of each pair as i32 at out, out + 4, …
  (func (export "n11Block") (param $y i32) (param $x i32) (param $count i32) (param $stride i32) (param $w i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (i32.store (local.get $out) (call $n11 (local.get $x) (local.get $y) (local.get $w)))
        (local.set $x (i32.add (local.get $x) (local.get $stride)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $cols))))

  ;; The same with the observed-masks (my, mx0 at the same strides): n11, c, sx, sy of each pair
  ;; (x the block column, y the single one) as four i32 at out, out + 16, …
  (func (export "maskedBlock") (param $y i32) (param $my i32) (param $x i32) (param $mx i32) (param $count i32) (param $stride i32) (param $w i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 4))))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (i32.store (local.get $out)
          (call $masked (local.get $x) (local.get $y) (local.get $mx) (local.get $my) (local.get $w) (i32.add (local.get $out) (i32.const 4))))
        (local.set $x (i32.add (local.get $x) (local.get $stride)))
        (local.set $mx (i32.add (local.get $mx) (local.get $stride)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $cols))))
)
