//! A tiny deterministic generator (SplitMix64): the same seed gives the same demo network, without a
//! dependency. Not for anything secret.

use chrono::NaiveDateTime;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item, uniformly; the lists it is used on are fixed and never empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One item with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        &items[weighted_index(items.iter().map(|(_, w)| *w), self.next_u64())].0
    }

    /// A time-ordered id (UUID v7) stamped with `at`, so that "newest first" lists follow the story told.
    pub fn id_at(&mut self, at: NaiveDateTime) -> String {
        let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or_default();
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid().to_string()
    }
}

/// The index whose cumulative weight first exceeds `draw` scaled to the total (0 when all weigh nothing).
fn weighted_index(weights: impl Iterator<Item = u32> + Clone, draw: u64) -> usize {
    let total: u64 = weights.clone().map(u64::from).sum();
    if total == 0 {
        return 0;
    }
    let mut target = ((u128::from(draw) * u128::from(total)) >> 64) as u64;
    for (i, w) in weights.enumerate() {
        if target < u64::from(w) {
            return i;
        }
        target -= u64::from(w);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(43).next_u64(), first[0]);
    }

    #[test]
    fn ranges_stay_inside_their_bounds_and_reach_both_ends() {
        let mut rng = Rng::new(7);
        let draws: Vec<i64> = (0..2000).map(|_| rng.range(3, 6)).collect();
        assert!(draws.iter().all(|d| (3..=6).contains(d)));
        assert!(draws.contains(&3) && draws.contains(&6));
        assert_eq!(rng.range(5, 5), 5);
        assert_eq!(rng.below(0), 0);
        assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
    }

    #[test]
    fn weights_set_the_frequencies() {
        let mut rng = Rng::new(1);
        let items = [("rare", 1), ("never", 0), ("common", 3)];
        let draws = 20_000;
        let common = (0..draws).filter(|_| *rng.weighted(&items) == "common").count();
        let share = common as f64 / draws as f64;
        assert!((0.73..0.77).contains(&share), "common drawn {share}");
        assert!((0..1000).all(|_| *rng.weighted(&items) != "never"));
        assert_eq!(weighted_index([0, 0].into_iter(), 123), 0);
    }

    #[test]
    fn ids_are_uuid_v7_ordered_by_their_time() {
        let mut rng = Rng::new(9);
        let t = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).and_then(|d| d.and_hms_opt(10, 0, 0)).unwrap();
        let (earlier, later) = (rng.id_at(t), rng.id_at(t + chrono::Duration::seconds(1)));
        assert!(earlier < later);
        let parsed = uuid::Uuid::parse_str(&earlier).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
    }
}
