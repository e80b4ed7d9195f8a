;; The byte loops of `upper` (upper.ts) and `count-s` (count-s.ts), sixteen bytes at a time with
;; WebAssembly's 128-bit SIMD: the same rules as `upperAscii` and `isS` there, which do short
;; fragments in JavaScript. JavaScript has no vector instructions, and on a bulk upload these
;; loops are most of a server's work. ascii-kernel.ts copies up to SLAB bytes of a message to the
;; start of `memory` and calls one of them; upper.ts maps multibyte code points itself, with
;; `nonAscii` to find them.
;;
;; The source of ascii-kernel-wasm.ts: `npm run wasm` rebuilds that from this file with wabt, and
;; a test fails if the two disagree.
(module
  ;; Two pages: the slab is the first, and the second lets a 16-byte load that starts near the
  ;; slab's end stay inside memory. Memory never grows, so JavaScript's view of it stays valid.
  (memory (export "memory") 2 2)

  ;; Uppercases a..z in memory[0, n) and leaves every other byte, >= 0x80 included, as it was.
  ;; Returns the offset of the first byte >= 0x80 there, or n if there is none.
  ;;
  ;; A byte b is in a..z exactly when b + 0x1f, as a signed byte, is below -102: 'a' + 0x1f is
  ;; 0x80 (-128) and the 26 letters follow it; every other byte lands at -102 or above. So one
  ;; add and one compare give 0xff per letter, and that mask's 0x20 bit flips the case.
  ;; The last block may run past n into bytes no one will read: changing them is harmless.
  (func (export "upper") (param $n i32) (result i32)
    (local $i i32) (local $v v128) (local $high i32) (local $first i32)
    (local.set $first (local.get $n))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $high (i8x16.bitmask (local.get $v)))
        (if (i32.and (i32.ne (local.get $high) (i32.const 0))
                     (i32.eq (local.get $first) (local.get $n)))
          (then (local.set $first (i32.add (local.get $i) (i32.ctz (local.get $high))))))
        (v128.store (local.get $i)
          (v128.xor (local.get $v)
            (v128.and
              (i8x16.lt_s
                (i8x16.add (local.get $v) (v128.const i8x16 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f 0x1f))
                (v128.const i8x16 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102 -102))
              (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    ;; A byte >= 0x80 found past n, in the last block, is not one of ours.
    (select (local.get $first) (local.get $n) (i32.lt_u (local.get $first) (local.get $n))))

  ;; The offset of the first byte >= 0x80 in memory[from, n), or n if there is none.
  (func (export "nonAscii") (param $from i32) (param $n i32) (result i32)
    (local $i i32) (local $high i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $high (i8x16.bitmask (v128.load (local.get $i))))
        (if (local.get $high)
          (then
            (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $high))))
            (br $done)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (select (local.get $i) (local.get $n) (i32.lt_u (local.get $i) (local.get $n))))

  ;; The number of bytes 's' and 'S' in memory[0, n): whole 16-byte blocks, then the last n % 16
  ;; bytes one at a time (a block load there would read bytes past n, left by earlier calls).
  ;; `| 0x20` maps exactly 'S' and 's' to 's', so one compare marks both, and the popcount of
  ;; the block's mask adds them up.
  (func (export "countS") (param $n i32) (result i32)
    (local $i i32) (local $count i32)
    (block $done
      (loop $block
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $count
          (i32.add (local.get $count)
            (i32.popcnt
              (i8x16.bitmask
                (i8x16.eq
                  (v128.or (v128.load (local.get $i)) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                  (v128.const i8x16 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73 0x73))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count
          (i32.add (local.get $count)
            (i32.eq (i32.or (i32.load8_u (local.get $i)) (i32.const 0x20)) (i32.const 0x73))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $count)))
