//! Fuzzy linking of pseudonymised records: comparisons on keyed tokens and
//! CLKs, a Fellegi–Sunter model trained without labels, blocking, one-to-one
//! linking, clustering and explanations.
//!
//! Data flow: `EncodedRecord`s → prepared columns (`encoded`) → candidate
//! pairs (`blocking`) → comparison levels (`comparison`, `dice`) → m/u/λ
//! (`model`, `tf`) → probabilities and explanations (`explain`) → links and
//! clusters (`solve`), driven by [`Linker`] (`linker`); the chain guard
//! alone over pairs scored elsewhere ([`chain_guard_edges`], `chain_guard`).

pub(crate) mod blocking;
mod chain_guard;
pub(crate) mod comparison;
pub(crate) mod dice;
pub(crate) mod encoded;
pub(crate) mod engine;
pub(crate) mod explain;
pub(crate) mod linker;
pub(crate) mod model;
pub(crate) mod prior;
pub(crate) mod rng;
pub(crate) mod solve;
pub(crate) mod tags;
pub(crate) mod tf;
pub(crate) mod transfer;

pub use blocking::{pair_completeness, reduction_ratio, BlockingConfig};
pub use chain_guard::chain_guard_edges;
pub use comparison::{
    default_comparisons, with_data_comparisons, BuiltComparison, Comparison, ComparisonKind,
    ComparisonOrigin, MAX_COMPARISONS, MAX_LEVELS, NICKNAME_SUBJECT, SWAPPED_NAMES_SUBJECT,
};
pub use dice::{dice, ClkStore};
pub use encoded::{decode_clk, EncodedRecord};
pub use engine::lsh::LshConfig;
pub use explain::{Contribution, Explanation};
pub use linker::{
    DedupeResult, EntitiesResult, EntityMember, Link, LinkConfig, LinkResult, LinkStats, Linker,
    Progress, Records,
};
pub use model::{
    probability, ComparisonParams, EmSettings, LevelParams, ModelParams, PARAMS_VERSION,
};
pub use prior::{ModelSource, PriorModel, PRIOR_MODEL_JSON};
pub use solve::{one_to_one_edges, Clustering};
pub use tf::tf_adjustment;
pub use transfer::{TransferView, TransferWriter, TRANSFER_MAGIC, TRANSFER_VERSION};
