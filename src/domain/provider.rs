//! The provider directory (after Open Referral HSDS): who offers which service, where and when.

code_enum! {
    /// What kind of provider this is in the territory's network.
    #[schema(example = "police_immigration_office")]
    ProviderCategory {
        /// Questura, ufficio immigrazione: residence permits.
        PoliceImmigrationOffice = "police_immigration_office",
        /// Prefettura, sportello unico per l'immigrazione: family reunification, work permits, citizenship.
        Prefecture = "prefecture",
        /// ASST / ATS: health registration, family counselling, hospitals.
        HealthAuthority = "health_authority",
        /// Centro per l'impiego.
        JobCentre = "job_centre",
        /// Schools and the school office (ufficio scolastico), adult education (CPIA).
        SchoolOffice = "school_office",
        /// Patronati: welfare and pension applications, permits by post.
        Patronato = "patronato",
        TradeUnion = "trade_union",
        /// Caritas and other charities: listening centres, food, clothing.
        Charity = "charity",
        /// Social co-operatives: housing, job placement, mediation.
        Cooperative = "cooperative",
        /// Municipal social services.
        MunicipalSocialServices = "municipal_social_services",
        /// Legal aid, anti-discrimination offices.
        LegalAid = "legal_aid",
        /// Reception centres (CAS, SAI).
        ReceptionCentre = "reception_centre",
        Other = "other",
    }
}

use crate::domain::text::search_key;

/// What free-text search over services looks in: the provider's and the service's names and the
/// description, normalised like case names.
pub fn search_text(provider_name: &str, service_name: &str, description: Option<&str>) -> String {
    search_key(&format!("{provider_name} {service_name} {}", description.unwrap_or_default()))
}

/// The places a service serves, as `|crema|offanengo|#cremasco|`: municipality keys, and the district's
/// key after `#`, each between bars so a LIKE on `|key|` matches whole names only.
pub fn area_keys<'a>(municipalities: impl IntoIterator<Item = &'a str>, district: Option<&str>) -> String {
    let mut keys: Vec<String> =
        municipalities.into_iter().map(search_key).filter(|k| !k.is_empty()).collect();
    keys.extend(district.map(|d| format!("#{}", search_key(d))));
    keys.sort();
    keys.dedup();
    format!("|{}|", keys.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_keys_are_normalised_whole_names() {
        let keys = area_keys(["Crema", "Offanengo", "crema", "Spino d'Adda"], Some("Cremasco"));
        assert_eq!(keys, "|#cremasco|crema|offanengo|spino d'adda|");
        assert_eq!(area_keys([], None), "||");
    }
}
