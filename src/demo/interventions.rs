//! What the desk does for a case, in the words an operator would write.

use chrono::{Duration, NaiveDateTime};

use super::rng::Rng;
use crate::db::interventions::InterventionRow;
use crate::domain::Code;
use crate::domain::case::Need;
use crate::domain::intervention::InterventionKind;

/// The `i`-th intervention of a case: the first is the intake interview, the others answer its needs.
pub fn intervention(
    rng: &mut Rng,
    case_id: &str,
    organization_id: &str,
    worker: &str,
    needs: &[Need],
    i: usize,
    at: NaiveDateTime,
) -> InterventionRow {
    use InterventionKind::*;
    let kind = if i == 0 {
        *rng.pick(&[Listening, Information])
    } else if rng.chance(0.6) {
        kind_for(*rng.pick(needs))
    } else {
        *rng.weighted(&[
            (Orientation, 4),
            (Information, 3),
            (SecretarialHelp, 3),
            (Listening, 2),
            (Mediation, 2),
            (SocioEducational, 1),
            (Other, 1),
        ])
    };
    let minutes = if matches!(kind, LegalAdvice | Mediation) { rng.range(45, 90) } else { rng.range(15, 60) };
    InterventionRow {
        id: rng.id_at(at),
        case_id: case_id.into(),
        organization_id: organization_id.into(),
        kind: kind.as_str().into(),
        occurred_on: at.date(),
        duration_minutes: Some(minutes as i32),
        operator_id: worker.into(),
        summary: summary(kind).into(),
        follow_up_on: rng.chance(0.2).then(|| at.date() + Duration::days(rng.range(7, 30))),
        created_by: worker.into(),
        deleted_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

fn kind_for(need: Need) -> InterventionKind {
    use InterventionKind::*;
    match need {
        Need::ResidencePermit | Need::FamilyReunification => ResidencePermitProcedure,
        Need::Citizenship | Need::Documents => SecretarialHelp,
        Need::Asylum | Need::LegalAdvice => LegalAdvice,
        Need::Employment => Employment,
        Need::Housing => Housing,
        Need::Health => HealthAccess,
        Need::Education | Need::Childcare => SocioEducational,
        Need::LanguageCourse => LanguageCourse,
        Need::IncomeSupport => Orientation,
        Need::Other => Other,
    }
}

fn summary(kind: InterventionKind) -> &'static str {
    use InterventionKind::*;
    match kind {
        Listening => "Colloquio di ascolto e raccolta dei bisogni",
        Information => "Informazioni sui servizi del territorio e sui documenti necessari",
        Orientation => "Orientamento ai servizi della rete e accompagnamento all'ufficio competente",
        LegalAdvice => "Consulenza sulla normativa dell'immigrazione",
        ResidencePermitProcedure => "Compilazione del kit postale e verifica della pratica di soggiorno",
        SecretarialHelp => "Aiuto nella compilazione di moduli e nella prenotazione di appuntamenti",
        SocioEducational => "Intervento socio-educativo con il nucleo familiare",
        Mediation => "Colloquio con mediazione linguistico-culturale",
        Housing => "Orientamento alla ricerca della casa e contatto con il proprietario",
        Employment => "Curriculum, iscrizione al Centro per l'Impiego e ricerca attiva",
        LanguageCourse => "Iscrizione al corso di italiano per adulti",
        HealthAccess => "Iscrizione al Servizio Sanitario e scelta del medico di base",
        Other => "Altro intervento di supporto",
    }
}
