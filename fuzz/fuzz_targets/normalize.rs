//! `normalize` for every field under every profile, region and date order.
//! Input: `field\0profile\0region\0dateOrder\0value` (names, or any bytes:
//! unknown names select by their byte sum). Errors must be the field's fixed
//! message, never the value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pseudolink::{normalize, Country, DateOrder, Error, Field, NormalizeOptions, Profile};
use pseudolink_fuzz::{pick, split_header, text};

const ORDERS: [Option<DateOrder>; 4] = [
    None,
    Some(DateOrder::Dmy),
    Some(DateOrder::Mdy),
    Some(DateOrder::Ymd),
];

fuzz_target!(|data: &[u8]| {
    let (h, value) = split_header(data, 4);
    let field = pick(&Field::ALL, h[0], Field::from_name);
    let profile = pick(&Profile::ALL, h[1], Profile::from_name);
    let mut opts = NormalizeOptions::new(profile);
    opts.region = Country::parse(&text(h[2]));
    opts.date_order = pick(&ORDERS, h[3], |_| None);
    let value = text(value);
    match normalize(field, &value, &opts) {
        Ok(v) => assert!(v.len() <= 4 * pseudolink::MAX_INPUT_BYTES),
        Err(e) => assert_eq!(e.to_string(), Error::field(field, e.code()).to_string()),
    }
});
