;; Replicate sums of a bit-packed 0/1 score matrix ("Four Russians" tables; see ../bit-bootstrap.ts).
;; A block holds 16 replicates, so one row of 16 f64 (128 bytes, 8 × f64x2) per prompt, per table
;; entry and per model. Prompts come in groups of 8: byte X[g*m + k] holds model k's 8 scores of
;; group g. For each listed group the 256 × 16 table T[x] = Σ_{bits j of x} v[8g + j] is built, then
;; acc[k] += T[X[g*m + k]] for every model, and lost[k] += T[b] for the (model, missing bits b)
;; entries of the group. Addresses are byte offsets into this module's memory.
;; The build turns this file into replicate-sums-wasm.ts (npm run build:wasm).
(module
  (memory (export "memory") 1)

  ;; 256 × 16 table at $t from the 8 rows at $v: T[0] = 0, T[x] = T[x & (x − 1)] + v[ctz x].
  (func $build (param $t i32) (param $v i32)
    (local $x i32) (local $src i32) (local $dst i32) (local $vj i32)
    (v128.store offset=0 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=16 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=32 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=48 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=64 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=80 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=96 (local.get $t) (v128.const i64x2 0 0))
    (v128.store offset=112 (local.get $t) (v128.const i64x2 0 0))
    (local.set $x (i32.const 1))
    (loop $entries
      (local.set $src (i32.add (local.get $t) (i32.shl (i32.and (local.get $x) (i32.sub (local.get $x) (i32.const 1))) (i32.const 7))))
      (local.set $dst (i32.add (local.get $t) (i32.shl (local.get $x) (i32.const 7))))
      (local.set $vj (i32.add (local.get $v) (i32.shl (i32.ctz (local.get $x)) (i32.const 7))))
      (v128.store offset=0 (local.get $dst) (f64x2.add (v128.load offset=0 (local.get $src)) (v128.load offset=0 (local.get $vj))))
      (v128.store offset=16 (local.get $dst) (f64x2.add (v128.load offset=16 (local.get $src)) (v128.load offset=16 (local.get $vj))))
      (v128.store offset=32 (local.get $dst) (f64x2.add (v128.load offset=32 (local.get $src)) (v128.load offset=32 (local.get $vj))))
      (v128.store offset=48 (local.get $dst) (f64x2.add (v128.load offset=48 (local.get $src)) (v128.load offset=48 (local.get $vj))))
      (v128.store offset=64 (local.get $dst) (f64x2.add (v128.load offset=64 (local.get $src)) (v128.load offset=64 (local.get $vj))))
      (v128.store offset=80 (local.get $dst) (f64x2.add (v128.load offset=80 (local.get $src)) (v128.load offset=80 (local.get $vj))))
      (v128.store offset=96 (local.get $dst) (f64x2.add (v128.load offset=96 (local.get $src)) (v128.load offset=96 (local.get $vj))))
      (v128.store offset=112 (local.get $dst) (f64x2.add (v128.load offset=112 (local.get $src)) (v128.load offset=112 (local.get $vj))))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br_if $entries (i32.lt_u (local.get $x) (i32.const 256)))))

  ;; acc[k] += T[X[k]] for the m models of one group (bytes at $x).
  (func $add1 (param $acc i32) (param $t i32) (param $x i32) (param $m i32)
    (local $end i32) (local $p i32)
    (local.set $end (i32.add (local.get $x) (local.get $m)))
    (block $done
      (loop $models
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $p (i32.add (local.get $t) (i32.shl (i32.load8_u (local.get $x)) (i32.const 7))))
        (v128.store offset=0 (local.get $acc) (f64x2.add (v128.load offset=0 (local.get $acc)) (v128.load offset=0 (local.get $p))))
        (v128.store offset=16 (local.get $acc) (f64x2.add (v128.load offset=16 (local.get $acc)) (v128.load offset=16 (local.get $p))))
        (v128.store offset=32 (local.get $acc) (f64x2.add (v128.load offset=32 (local.get $acc)) (v128.load offset=32 (local.get $p))))
        (v128.store offset=48 (local.get $acc) (f64x2.add (v128.load offset=48 (local.get $acc)) (v128.load offset=48 (local.get $p))))
        (v128.store offset=64 (local.get $acc) (f64x2.add (v128.load offset=64 (local.get $acc)) (v128.load offset=64 (local.get $p))))
        (v128.store offset=80 (local.get $acc) (f64x2.add (v128.load offset=80 (local.get $acc)) (v128.load offset=80 (local.get $p))))
        (v128.store offset=96 (local.get $acc) (f64x2.add (v128.load offset=96 (local.get $acc)) (v128.load offset=96 (local.get $p))))
        (v128.store offset=112 (local.get $acc) (f64x2.add (v128.load offset=112 (local.get $acc)) (v128.load offset=112 (local.get $p))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 128)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $models))))

  ;; Two groups per pass over acc (tables $t and $t + 32768, bytes at $x and $y): half the
  ;; accumulator traffic, which is what bounds the one-group loop.
  (func $add2 (param $acc i32) (param $t i32) (param $x i32) (param $y i32) (param $m i32)
    (local $end i32) (local $p i32) (local $q i32)
    (local.set $end (i32.add (local.get $x) (local.get $m)))
    (block $done
      (loop $models
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $p (i32.add (local.get $t) (i32.shl (i32.load8_u (local.get $x)) (i32.const 7))))
        (local.set $q (i32.add (local.get $t) (i32.add (i32.const 32768) (i32.shl (i32.load8_u (local.get $y)) (i32.const 7)))))
        (v128.store offset=0 (local.get $acc) (f64x2.add (v128.load offset=0 (local.get $acc)) (f64x2.add (v128.load offset=0 (local.get $p)) (v128.load offset=0 (local.get $q)))))
        (v128.store offset=16 (local.get $acc) (f64x2.add (v128.load offset=16 (local.get $acc)) (f64x2.add (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
        (v128.store offset=32 (local.get $acc) (f64x2.add (v128.load offset=32 (local.get $acc)) (f64x2.add (v128.load offset=32 (local.get $p)) (v128.load offset=32 (local.get $q)))))
        (v128.store offset=48 (local.get $acc) (f64x2.add (v128.load offset=48 (local.get $acc)) (f64x2.add (v128.load offset=48 (local.get $p)) (v128.load offset=48 (local.get $q)))))
        (v128.store offset=64 (local.get $acc) (f64x2.add (v128.load offset=64 (local.get $acc)) (f64x2.add (v128.load offset=64 (local.get $p)) (v128.load offset=64 (local.get $q)))))
        (v128.store offset=80 (local.get $acc) (f64x2.add (v128.load offset=80 (local.get $acc)) (f64x2.add (v128.load offset=80 (local.get $p)) (v128.load offset=80 (local.get $q)))))
        (v128.store offset=96 (local.get $acc) (f64x2.add (v128.load offset=96 (local.get $acc)) (f64x2.add (v128.load offset=96 (local.get $p)) (v128.load offset=96 (local.get $q)))))
        (v128.store offset=112 (local.get $acc) (f64x2.add (v128.load offset=112 (local.get $acc)) (f64x2.add (v128.load offset=112 (local.get $p)) (v128.load offset=112 (local.get $q)))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 128)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $models))))

  ;; lost[k] += T[b] for the missing entries (k << 8 | b, i32) of group $g: entries
  ;; missStart[g] .. missStart[g + 1) of the list at $entries.
  (func $lose (param $lost i32) (param $t i32) (param $g i32) (param $missStart i32) (param $entries i32)
    (local $e i32) (local $end i32) (local $entry i32) (local $p i32) (local $l i32)
    (local.set $e (i32.add (local.get $entries) (i32.shl (i32.load (i32.add (local.get $missStart) (i32.shl (local.get $g) (i32.const 2)))) (i32.const 2))))
    (local.set $end (i32.add (local.get $entries) (i32.shl (i32.load offset=4 (i32.add (local.get $missStart) (i32.shl (local.get $g) (i32.const 2)))) (i32.const 2))))
    (block $done
      (loop $list
        (br_if $done (i32.ge_u (local.get $e) (local.get $end)))
        (local.set $entry (i32.load (local.get $e)))
        (local.set $p (i32.add (local.get $t) (i32.shl (i32.and (local.get $entry) (i32.const 255)) (i32.const 7))))
        (local.set $l (i32.add (local.get $lost) (i32.shl (i32.shr_u (local.get $entry) (i32.const 8)) (i32.const 7))))
        (v128.store offset=0 (local.get $l) (f64x2.add (v128.load offset=0 (local.get $l)) (v128.load offset=0 (local.get $p))))
        (v128.store offset=16 (local.get $l) (f64x2.add (v128.load offset=16 (local.get $l)) (v128.load offset=16 (local.get $p))))
        (v128.store offset=32 (local.get $l) (f64x2.add (v128.load offset=32 (local.get $l)) (v128.load offset=32 (local.get $p))))
        (v128.store offset=48 (local.get $l) (f64x2.add (v128.load offset=48 (local.get $l)) (v128.load offset=48 (local.get $p))))
        (v128.store offset=64 (local.get $l) (f64x2.add (v128.load offset=64 (local.get $l)) (v128.load offset=64 (local.get $p))))
        (v128.store offset=80 (local.get $l) (f64x2.add (v128.load offset=80 (local.get $l)) (v128.load offset=80 (local.get $p))))
        (v128.store offset=96 (local.get $l) (f64x2.add (v128.load offset=96 (local.get $l)) (v128.load offset=96 (local.get $p))))
        (v128.store offset=112 (local.get $l) (f64x2.add (v128.load offset=112 (local.get $l)) (v128.load offset=112 (local.get $p))))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $list))))

  ;; One block: the $count groups listed (i32) at $list, whose 8 rows each of v sit one after
  ;; another at $v (1024 bytes per listed group), added into acc (m rows at $acc) and lost (m rows
  ;; at $lost). $tables is 64 KiB of scratch.
  (func (export "block") (param $acc i32) (param $lost i32) (param $x i32) (param $m i32) (param $list i32) (param $count i32) (param $v i32) (param $tables i32) (param $missStart i32) (param $entries i32)
    (local $p i32) (local $g i32) (local $h i32)
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $p) (local.get $count)))
        (local.set $g (i32.load (i32.add (local.get $list) (i32.shl (local.get $p) (i32.const 2)))))
        (call $build (local.get $tables) (i32.add (local.get $v) (i32.shl (local.get $p) (i32.const 10))))
        (if (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $count))
          (then
            (local.set $h (i32.load offset=4 (i32.add (local.get $list) (i32.shl (local.get $p) (i32.const 2)))))
            (call $build (i32.add (local.get $tables) (i32.const 32768)) (i32.add (local.get $v) (i32.shl (i32.add (local.get $p) (i32.const 1)) (i32.const 10))))
            (call $add2 (local.get $acc) (local.get $tables)
              (i32.add (local.get $x) (i32.mul (local.get $g) (local.get $m)))
              (i32.add (local.get $x) (i32.mul (local.get $h) (local.get $m)))
              (local.get $m))
            (call $lose (local.get $lost) (local.get $tables) (local.get $g) (local.get $missStart) (local.get $entries))
            (call $lose (local.get $lost) (i32.add (local.get $tables) (i32.const 32768)) (local.get $h) (local.get $missStart) (local.get $entries))
            (local.set $p (i32.add (local.get $p) (i32.const 2))))
          (else
            (call $add1 (local.get $acc) (local.get $tables) (i32.add (local.get $x) (i32.mul (local.get $g) (local.get $m))) (local.get $m))
            (call $lose (local.get $lost) (local.get $tables) (local.get $g) (local.get $missStart) (local.get $entries))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (br $groups))))
)
