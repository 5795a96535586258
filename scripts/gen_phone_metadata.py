#!/usr/bin/env python3
"""Generate src/normalize/phone/metadata.rs, pseudolink's compact phone table.

Source: the Python `phonenumbers` package, pinned:

    pip install phonenumbers==9.0.43

(the Python port of Google's libphonenumber; its metadata is libphonenumber's
PhoneNumberMetadata.xml of the same version). The script refuses to run with
another version, so the table only changes when this pin is bumped on purpose.

    python3 scripts/gen_phone_metadata.py          # rewrite the table
    python3 scripts/gen_phone_metadata.py --check  # exit 1 if it is out of date

What is kept, and nothing else (the full libphonenumber port costs ~490 KB
gzipped in wasm; this table is about 9 KB of wasm data):

* per region (ISO 3166-1 alpha-2): country calling code; national (trunk)
  prefix, as libphonenumber parses it (`national_prefix_for_parsing` when it
  has no transform rule, else `national_prefix`: GB "0", US "1", RU "8",
  BY "0|80?", HU "06", IT none); international dialling prefix
  (`international_prefix`: "00", "011", AU "0011|001[14-689]|...");
  possible national-number lengths (`general_desc.possible_length`), each with
  the first two digits the region's general number pattern allows at that
  length;
* per region, the lengths at which a national number may start with the
  region's own calling code digits (for `44 20 7946 0958` written in GB);
* per calling code: the trunk prefix of its main region, the main region's
  rules, and the union of the rules of every region sharing the code (NANP
  +1, +7, +44, ...), including the non-geographic codes (+800, ...);
* the zero code point of every Unicode decimal-digit block (category Nd), so
  any decimal digit maps to ASCII. The list (Unicode 14.0, `DIGIT_ZEROS`
  below) is fixed here, so the output does not depend on the Python version,
  and checked against the running Python's `unicodedata`.

Prefix patterns (trunk and international): `|`-separated alternatives,
longest first, each position a digit or a class like `[0-35]`; the regexes
are finite, so they expand exactly.

Rule word layout (u32): bits 0-9 = first digits (bit d for digit d); bits
10-19 = second digits; bit 20 = last rule of a list; bit 17+L = national
numbers of L digits, L = 4..=14, i.e. `(rule >> 21) << 4` is a length mask
with bit L per length. Longer national numbers never fit E.164's 15 digits
with their calling code, so lengths above 14 are dropped; no plan has a
possible length below 4 (the script stops if one appears).
A number fits a rule when its length, first digit and second digit are all in
it. A region's or calling code's rules are a list at an offset into RULES.
"""
import pathlib
import sys
import unicodedata

try:
    import re._parser as sre  # stdlib regex parser, Python 3.11+
except ImportError:  # Python 3.10 and older
    import sre_parse as sre

PINNED = "9.0.43"
ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "normalize" / "phone" / "metadata.rs"
MINLEN, MAXLEN = 4, 14  # national-number lengths kept: E.164 allows 15 digits, cc included
SECOND_SHIFT = 10
LAST = 1 << 20
LEN_SHIFT = 17  # length L at bit 17 + L, L in MINLEN..=MAXLEN: bits 21-31


# --- regex analysis ----------------------------------------------------------
# For a parsed pattern, the set of (first k digits, length) pairs of the
# strings it matches (fewer digits for shorter strings), lengths capped.

def _digits_of_in(items):
    s = set()
    for op, av in items:
        op = str(op)
        if op == "LITERAL":
            s.add(chr(av))
        elif op == "RANGE":
            s.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op == "CATEGORY" and str(av) == "CATEGORY_DIGIT":
            s.update("0123456789")
        else:
            raise SystemExit(f"unsupported class item {op} {av}")
    return {int(c) for c in s if c.isdigit()}


def _concat(a, b, k):
    out = set()
    b_lens = {lb for _, lb in b}
    for pa, la in a:
        if len(pa) >= k:
            # The prefix is complete: only b's lengths matter (same set, far
            # fewer steps; keeps `--check` in make test to seconds).
            out.update((pa, la + lb) for lb in b_lens if la + lb <= MAXLEN)
            continue
        for pb, lb in b:
            n = la + lb
            if n <= MAXLEN:
                out.add(((pa + pb)[:k], n))
    return out


def _lang(seq, k=2):
    cur = {("", 0)}
    for op, av in seq:
        op = str(op)
        if op == "LITERAL":
            cur = _concat(cur, {(chr(av), 1)}, k)
        elif op == "IN":
            cur = _concat(cur, {(str(d), 1) for d in _digits_of_in(av)}, k)
        elif op == "BRANCH":
            alt = set()
            for sub in av[1]:
                alt |= _lang(sub, k)
            cur = _concat(cur, alt, k)
        elif op == "SUBPATTERN":
            cur = _concat(cur, _lang(av[3], k), k)
        elif op in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            body = _lang(sub, k)
            hi = min(hi, MAXLEN + 1)
            acc = set()
            rep = {("", 0)}
            for count in range(hi + 1):
                if count >= lo:
                    acc |= rep
                nxt = _concat(rep, body, k)
                if nxt <= rep and count >= lo:
                    break
                rep = nxt
            cur = _concat(cur, acc, k)
        else:
            raise SystemExit(f"unsupported regex op {op}")
    return cur


def prefix_pairs(pattern, lengths):
    """{(first digit, second digit, length)} the pattern allows, for the
    possible lengths; a length the pattern is silent on allows any digits."""
    pairs = _lang(sre.parse(pattern))
    out = set()
    for L in lengths:
        found = {p for p, n in pairs if n == L}
        if not found:
            found = {f"{a}{b}" for a in range(10) for b in range(10)}
        for p in found:
            a = int(p[0]) if p else None
            bs = [int(p[1])] if len(p) > 1 else range(10)
            for fa in ([a] if a is not None else range(10)):
                for b in bs:
                    out.add((fa, b, L))
    return out


def own_code_lengths(pattern, cc, lengths):
    """Length mask (bit L) of the national numbers that may start with the
    region's own calling code digits: libphonenumber reads such a number
    written without `+` as international when it does not fit as national."""
    code = str(cc)
    mask = 0
    for p, n in _lang(sre.parse(pattern), len(code)):
        if n in lengths and p == code:
            mask |= 1 << n
    return mask


def rules_of(triples):
    """Group (first, second, length) triples into rules (F, S, lengths): F and S
    masks of first and second digits whose every combination is allowed."""
    per_len = {}
    for a, b, L in triples:
        per_len.setdefault(L, {}).setdefault(a, 0)
        per_len[L][a] |= 1 << b
    groups = {}
    for L, firsts in per_len.items():
        by_second = {}
        for a, smask in firsts.items():
            by_second[smask] = by_second.get(smask, 0) | (1 << a)
        for smask, fmask in by_second.items():
            groups[(fmask, smask)] = groups.get((fmask, smask), 0) | (1 << L)
    return sorted(((f, sm, lens) for (f, sm), lens in groups.items()),
                  key=lambda t: (-bin(t[2]).count("1"), t))


# --- international prefix -> tiny pattern --------------------------------------
# Finite alternatives; each position a digit or a class "[0-35]". Longest first.

def _seqs(seq):
    cur = [""]
    for op, av in seq:
        op = str(op)
        if op == "LITERAL":
            opts = [chr(av)]
        elif op == "IN":
            opts = [_class(_digits_of_in(av))]
        elif op == "BRANCH":
            opts = [s for sub in av[1] for s in _seqs(sub)]
        elif op == "SUBPATTERN":
            opts = _seqs(av[3])
        elif op in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            if hi > 4:
                raise SystemExit("unbounded repeat in an international prefix")
            body = _seqs(sub)
            opts = []
            for k in range(lo, hi + 1):
                reps = [""]
                for _ in range(k):
                    reps = [r + b for r in reps for b in body]
                opts += reps
        else:
            raise SystemExit(f"unsupported regex op {op} in an international prefix")
        cur = [c + o for c in cur for o in opts]
    return cur


def _class(digits):
    if len(digits) == 1:
        return str(next(iter(digits)))
    ds = sorted(digits)
    parts, i = [], 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and ds[j + 1] == ds[j] + 1:
            j += 1
        parts.append(f"{ds[i]}-{ds[j]}" if j - i >= 2 else "".join(str(d) for d in ds[i:j + 1]))
        i = j + 1
    return "[" + "".join(parts) + "]"


def _poslen(alt):
    n, i = 0, 0
    while i < len(alt):
        i = alt.index("]", i) + 1 if alt[i] == "[" else i + 1
        n += 1
    return n


def prefix_pattern(regex):
    if not regex:
        return ""
    alts = sorted(set(_seqs(sre.parse(regex))), key=lambda a: (-_poslen(a), a))
    if len(alts) > 24:
        raise SystemExit(f"prefix {regex!r} expands to {len(alts)} alternatives")
    return "|".join(alts)


def trunk_pattern(m):
    """National prefixes removed when parsing: `national_prefix_for_parsing`
    when it has no transform rule (it may also match carrier codes, which
    libphonenumber removes with it), else the plain `national_prefix`."""
    npfp = m.national_prefix_for_parsing
    if npfp and not m.national_prefix_transform_rule and "$" not in npfp:
        return prefix_pattern(npfp)
    return m.national_prefix or ""


# --- Unicode decimal digits ----------------------------------------------------

DIGIT_ZEROS_UNICODE = "14.0.0"
DIGIT_ZEROS = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
]


def digit_zeros():
    """DIGIT_ZEROS, checked: each starts ten consecutive decimal digits 0-9 in
    the running Python's unicodedata, and no block of that Unicode version
    (up to 14.0) is missing. Newer blocks are reported, not added."""
    for cp in DIGIT_ZEROS:
        for k in range(10):
            d = chr(cp + k)
            if unicodedata.category(d) != "Nd" or unicodedata.decimal(d) != k:
                raise SystemExit(f"U+{cp:04X}: not a decimal-digit block in this Python's unicodedata")
    found = [cp for cp in range(0x80, 0x110000)
             if unicodedata.category(chr(cp)) == "Nd" and unicodedata.decimal(chr(cp)) == 0]
    extra = sorted(set(found) - set(DIGIT_ZEROS))
    if extra and unicodedata.unidata_version == DIGIT_ZEROS_UNICODE:
        raise SystemExit(f"DIGIT_ZEROS misses {[hex(c) for c in extra]}")
    if extra:
        print(f"note: Unicode {unicodedata.unidata_version} has digit blocks newer than "
              f"{DIGIT_ZEROS_UNICODE}: {', '.join(f'U+{c:04X}' for c in extra)}", file=sys.stderr)
    return DIGIT_ZEROS


# --- table -----------------------------------------------------------------------

def build():
    import phonenumbers
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    from phonenumbers.phonemetadata import PhoneMetadata

    if phonenumbers.__version__ != PINNED:
        raise SystemExit(f"phonenumbers {phonenumbers.__version__} installed; pinned {PINNED}: "
                         f"pip install phonenumbers=={PINNED}")

    trunks = [""]
    idds = [""]
    rule_words = []
    rule_index = {}

    def keep(lengths, where):
        if any(L < MINLEN for L in lengths):
            raise SystemExit(f"{where}: a possible length below {MINLEN}; widen the rule layout")
        return [L for L in lengths if L <= MAXLEN]

    def rules_offset(rules):
        key = tuple(rules)
        if key not in rule_index:
            rule_index[key] = len(rule_words)
            for i, (first, second, lens) in enumerate(rules):
                word = first | (second << SECOND_SHIFT) | (lens << LEN_SHIFT)
                rule_words.append(word | (LAST if i == len(rules) - 1 else 0))
        return rule_index[key]

    def intern(table, s):
        s = s or ""
        if s not in table:
            table.append(s)
        return table.index(s)

    regions = []
    codes = []
    ccs = sorted(COUNTRY_CODE_TO_REGION_CODE)
    for a in ccs:
        for b in ccs:
            if a != b and str(b).startswith(str(a)):
                raise SystemExit(f"calling codes not prefix-free: {a} {b}")
    for cc in ccs:
        region_codes = COUNTRY_CODE_TO_REGION_CODE[cc]
        metas = []
        for r in region_codes:
            m = PhoneMetadata.metadata_for_nongeo_region(cc) if r == "001" else PhoneMetadata.metadata_for_region(r)
            if m is None:
                raise SystemExit(f"no metadata for {r} (+{cc})")
            metas.append((r, m))
        union = set()
        for r, m in metas:
            g = m.general_desc
            triples = prefix_pairs(g.national_number_pattern, keep(g.possible_length, r))
            union |= triples
            if r != "001":
                if len(r) != 2 or not r.isalpha():
                    raise SystemExit(f"odd region code {r}")
                lengths = keep(g.possible_length, r)
                regions.append((r, cc, intern(trunks, trunk_pattern(m)),
                                intern(idds, prefix_pattern(m.international_prefix)), rules_offset(rules_of(triples)),
                                own_code_lengths(g.national_number_pattern, cc, lengths)))
        main_region, main = metas[0]
        main_rules = rules_offset(rules_of(prefix_pairs(main.general_desc.national_number_pattern,
                                                        keep(main.general_desc.possible_length, main_region))))
        codes.append((cc, intern(trunks, trunk_pattern(main)), main_rules, rules_offset(rules_of(union))))
    regions.sort()
    return phonenumbers.__version__, trunks, idds, rule_words, regions, codes, digit_zeros()


def render():
    version, trunks, idds, rule_words, regions, codes, zeros = build()
    uver = DIGIT_ZEROS_UNICODE
    o = []
    w = o.append
    w(f"// generated by scripts/gen_phone_metadata.py from phonenumbers {version}; do not edit")
    w("//! Compact phone metadata: calling codes, trunk prefixes, international")
    w("//! prefixes and possible national-number lengths (with leading digits).")
    w(f"//! From phonenumbers {version} (libphonenumber metadata); decimal digits of")
    w(f"//! Unicode {uver}. Layouts are described in the generator.")
    w("")
    w("/// National (trunk) prefixes, as patterns like IDDS; index 0 = none.")
    w(f"pub(super) static TRUNKS: [&str; {len(trunks)}] = [")
    for t in trunks:
        w(f"    {repr_str(t)},")
    w("];")
    w("")
    w("/// International (IDD) prefixes: `|`-separated alternatives, longest first;")
    w("/// each position a digit or a class like `[0-35]`. Index 0 = none.")
    w(f"pub(super) static IDDS: [&str; {len(idds)}] = [")
    for s in idds:
        w(f"    {repr_str(s)},")
    w("];")
    w("")
    w("/// Rules: bits 0-9 first digits, 10-19 second digits, bit 20 last of its")
    w("/// list, bit 17+L national numbers of L digits (L = 4..=14).")
    w(f"pub(super) static RULES: [u32; {len(rule_words)}] = [")
    for i in range(0, len(rule_words), 8):
        w("    " + " ".join(f"0x{x:08X}," for x in rule_words[i:i + 8]))
    w("];")
    w("")
    w("/// A region: alpha-2, calling code, index into TRUNKS, index into IDDS,")
    w("/// offset into RULES, lengths (bit L) at which a national number may start")
    w("/// with the calling code's digits. Sorted by alpha-2.")
    w("pub(super) struct Region(pub [u8; 2], pub u16, pub u8, pub u8, pub u16, pub u16);")
    w("")
    w(f"pub(super) static REGIONS: [Region; {len(regions)}] = [")
    for i in range(0, len(regions), 4):
        w("    " + " ".join(f'Region(*b"{r}", {cc}, {t}, {d}, {ro}, 0x{oc:X}),' for r, cc, t, d, ro, oc in regions[i:i + 4]))
    w("];")
    w("")
    w("/// A calling code: code, index into TRUNKS (its main region's), offset into")
    w("/// RULES of its main region's rules, offset into RULES of the union of the")
    w("/// rules of every region sharing the code. Sorted by code.")
    w("pub(super) struct CallingCode(pub u16, pub u8, pub u16, pub u16);")
    w("")
    w(f"pub(super) static CALLING_CODES: [CallingCode; {len(codes)}] = [")
    for i in range(0, len(codes), 4):
        w("    " + " ".join(f"CallingCode({cc}, {t}, {mr}, {ro})," for cc, t, mr, ro in codes[i:i + 4]))
    w("];")
    w("")
    w("/// Code points of the digit zero of every Unicode decimal-digit block.")
    w(f"pub(super) static DIGIT_ZEROS: [u32; {len(zeros)}] = [")
    for i in range(0, len(zeros), 8):
        w("    " + " ".join(f"0x{z:05X}," for z in zeros[i:i + 8]))
    w("];")
    return "\n".join(o) + "\n"


def repr_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run scripts/gen_phone_metadata.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
