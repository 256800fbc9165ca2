//! The tables, written once for both backends (see migrations/). Ids are UUIDv7 text; times naive UTC.

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        code -> Text,
        tax_id -> Nullable<Text>,
        municipality -> Nullable<Text>,
        district -> Nullable<Text>,
        address -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        plans_need_approval -> Bool,
    }
}

diesel::table! {
    desks (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        address -> Nullable<Text>,
        municipality -> Nullable<Text>,
        languages -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        notes -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        appointment_minutes -> Integer,
    }
}

diesel::table! {
    desk_opening_hours (id) {
        id -> Text,
        desk_id -> Text,
        position -> Integer,
        weekday -> Integer,
        opens -> Time,
        closes -> Time,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        failed_logins -> Integer,
        first_failed_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reference_counters (organization_id, year) {
        organization_id -> Text,
        year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        organization_id -> Text,
        desk_id -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        reference_code -> Text,
        status -> Text,
        closure_reason -> Nullable<Text>,
        closure_note -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        given_name -> Text,
        family_name -> Text,
        search_name -> Text,
        sex -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        birth_place -> Nullable<Text>,
        country_of_birth -> Nullable<Text>,
        citizenship -> Nullable<Text>,
        tax_code -> Nullable<Text>,
        languages -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        residence_municipality -> Nullable<Text>,
        arrival_date -> Nullable<Date>,
        legal_status -> Nullable<Text>,
        permit_type -> Nullable<Text>,
        permit_number -> Nullable<Text>,
        permit_expiry -> Nullable<Date>,
        education -> Nullable<Text>,
        employment -> Nullable<Text>,
        housing -> Nullable<Text>,
        needs -> Text,
        notes -> Nullable<Text>,
        restricted_notes -> Nullable<Text>,
        source_system -> Nullable<Text>,
        external_id -> Nullable<Text>,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        legal_hold -> Bool,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    family_members (id) {
        id -> Text,
        case_id -> Text,
        relationship -> Text,
        given_name -> Text,
        family_name -> Text,
        sex -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        citizenship -> Nullable<Text>,
        tax_code -> Nullable<Text>,
        lives_with_beneficiary -> Bool,
        dependent -> Bool,
        notes -> Nullable<Text>,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    interventions (id) {
        id -> Text,
        case_id -> Text,
        organization_id -> Text,
        kind -> Text,
        occurred_on -> Date,
        duration_minutes -> Nullable<Integer>,
        operator_id -> Text,
        summary -> Text,
        follow_up_on -> Nullable<Date>,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_organization_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        outcome -> Text,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (owner_id, idempotency_key) {
        owner_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    providers (id) {
        id -> Text,
        name -> Text,
        category -> Text,
        description -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    provider_services (id) {
        id -> Text,
        provider_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        needs -> Text,
        languages -> Text,
        area_municipalities -> Text,
        area_district -> Nullable<Text>,
        eligibility -> Nullable<Text>,
        min_age -> Nullable<Integer>,
        max_age -> Nullable<Integer>,
        fees -> Nullable<Text>,
        how_to_apply -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        search_text -> Text,
        area_keys -> Text,
        active -> Bool,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_locations (id) {
        id -> Text,
        service_id -> Text,
        position -> Integer,
        name -> Text,
        address -> Nullable<Text>,
        municipality -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    location_schedules (id) {
        id -> Text,
        location_id -> Text,
        service_id -> Text,
        position -> Integer,
        weekday -> Integer,
        opens -> Time,
        closes -> Time,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    protocols (id) {
        id -> Text,
        title -> Text,
        signed_on -> Nullable<Date>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        document_ref -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    protocol_parties (id) {
        id -> Text,
        protocol_id -> Text,
        position -> Integer,
        organization_id -> Nullable<Text>,
        provider_id -> Nullable<Text>,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        case_id -> Text,
        purpose -> Text,
        provider_id -> Nullable<Text>,
        given_at -> Timestamp,
        expires_on -> Nullable<Date>,
        evidence -> Nullable<Text>,
        recorded_by -> Text,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawal_note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        case_id -> Text,
        sender_organization_id -> Text,
        created_by -> Text,
        provider_id -> Text,
        service_id -> Nullable<Text>,
        receiving_organization_id -> Nullable<Text>,
        need -> Text,
        urgency -> Text,
        reason -> Text,
        due_on -> Nullable<Date>,
        consent_id -> Nullable<Text>,
        consent_override_reason -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        requested_at -> Nullable<Timestamp>,
        answered_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Text,
        referral_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Text,
        actor_organization_id -> Text,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    transfers (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        from_organization_id -> Text,
        to_organization_id -> Text,
        status -> Text,
        reason -> Text,
        decision_note -> Nullable<Text>,
        requested_by -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_access_grants (id) {
        id -> Text,
        case_id -> Text,
        organization_id -> Text,
        access -> Text,
        expires_at -> Nullable<Timestamp>,
        note -> Nullable<Text>,
        granted_by -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    professionals (id) {
        id -> Text,
        registry_organization_id -> Text,
        kind -> Text,
        given_name -> Text,
        family_name -> Text,
        languages -> Text,
        language_keys -> Text,
        sectors -> Text,
        area_municipalities -> Text,
        area_district -> Nullable<Text>,
        area_keys -> Text,
        employer_organization_id -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        availability -> Nullable<Text>,
        registry_number -> Nullable<Text>,
        active -> Bool,
        user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activations (id) {
        id -> Text,
        organization_id -> Text,
        requested_by -> Text,
        case_id -> Nullable<Text>,
        person_name -> Nullable<Text>,
        kind -> Text,
        language -> Text,
        sector -> Nullable<Text>,
        scheduled_at -> Timestamp,
        place -> Text,
        municipality -> Nullable<Text>,
        duration_minutes -> Integer,
        urgency -> Text,
        notes -> Nullable<Text>,
        requested_at -> Timestamp,
        deadline_at -> Timestamp,
        status -> Text,
        professional_id -> Nullable<Text>,
        assigned_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        worked_minutes -> Nullable<Integer>,
        outcome -> Nullable<Text>,
        status_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activation_events (id) {
        id -> Text,
        activation_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        professional_id -> Nullable<Text>,
        actor_id -> Text,
        reason -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    family_assistants (id) {
        id -> Text,
        organization_id -> Text,
        given_name -> Text,
        family_name -> Text,
        languages -> Text,
        language_keys -> Text,
        experience -> Nullable<Text>,
        certificates -> Text,
        tasks -> Text,
        hours_per_week -> Integer,
        live_in -> Bool,
        area_municipalities -> Text,
        area_keys -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        available_from -> Nullable<Date>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    care_requests (id) {
        id -> Text,
        organization_id -> Text,
        case_id -> Nullable<Text>,
        household_name -> Nullable<Text>,
        household_phone -> Nullable<Text>,
        tasks -> Text,
        hours_per_week -> Integer,
        live_in -> Bool,
        municipality -> Text,
        municipality_key -> Text,
        languages -> Text,
        start_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        status -> Text,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    care_placements (id) {
        id -> Text,
        care_request_id -> Text,
        assistant_id -> Text,
        outcome -> Text,
        contract_type -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(desks -> organizations (organization_id));
diesel::joinable!(desk_opening_hours -> desks (desk_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(family_members -> cases (case_id));
diesel::joinable!(interventions -> cases (case_id));
diesel::joinable!(provider_services -> providers (provider_id));
diesel::joinable!(service_locations -> provider_services (service_id));
diesel::joinable!(location_schedules -> service_locations (location_id));
diesel::joinable!(protocol_parties -> protocols (protocol_id));
diesel::joinable!(consents -> cases (case_id));
diesel::table! {
    integration_clients (id) {
        id -> Text,
        name -> Text,
        organization_ids -> Text,
        secret_hash -> Text,
        previous_secret_hash -> Nullable<Text>,
        previous_valid_until -> Nullable<Timestamp>,
        active -> Bool,
        created_by -> Text,
        last_used_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    change_counter (id) {
        id -> Integer,
        value -> BigInt,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        seq -> Nullable<BigInt>,
        resource_type -> Text,
        resource_id -> Text,
        case_id -> Nullable<Text>,
        organization_id -> Text,
        change -> Text,
        changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Text,
        secret -> Text,
        active -> Bool,
        feed_cursor -> BigInt,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        sequence -> BigInt,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    desk_contacts (id) {
        id -> Text,
        organization_id -> Text,
        desk_id -> Text,
        operator_id -> Text,
        occurred_at -> Timestamp,
        channel -> Text,
        case_id -> Nullable<Text>,
        opened_case_at -> Nullable<Timestamp>,
        sex -> Nullable<Text>,
        age_band -> Nullable<Text>,
        citizenship -> Nullable<Text>,
        topics -> Text,
        answer -> Text,
        provider_id -> Nullable<Text>,
        orientation -> Nullable<Text>,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    desk_closures (id) {
        id -> Text,
        desk_id -> Text,
        first_day -> Date,
        last_day -> Date,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        desk_id -> Text,
        organization_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        case_id -> Nullable<Text>,
        person_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        topic -> Nullable<Text>,
        notes -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        booked_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(referrals -> cases (case_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(transfers -> cases (case_id));
diesel::joinable!(case_access_grants -> cases (case_id));
diesel::joinable!(activations -> professionals (professional_id));
diesel::joinable!(activation_events -> activations (activation_id));
diesel::joinable!(care_placements -> care_requests (care_request_id));
diesel::joinable!(care_placements -> family_assistants (assistant_id));

diesel::table! {
    assessments (id) {
        id -> Text,
        case_id -> Text,
        organization_id -> Text,
        version -> BigInt,
        assessed_on -> Date,
        assessor_id -> Text,
        summary -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assessment_domains (assessment_id, domain) {
        assessment_id -> Text,
        case_id -> Text,
        version -> BigInt,
        domain -> Text,
        level -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        case_id -> Text,
        organization_id -> Text,
        assessment_id -> Nullable<Text>,
        starts_on -> Date,
        review_on -> Date,
        notes -> Nullable<Text>,
        agreed_on -> Nullable<Date>,
        agreement_signed -> Nullable<Bool>,
        approval_required -> Bool,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_goals (id) {
        id -> Text,
        plan_id -> Text,
        case_id -> Text,
        domain -> Text,
        description -> Text,
        status -> Text,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_actions (id) {
        id -> Text,
        plan_id -> Text,
        case_id -> Text,
        goal_id -> Nullable<Text>,
        description -> Text,
        owner_kind -> Text,
        owner_id -> Text,
        due_on -> Nullable<Date>,
        status -> Text,
        completed_on -> Nullable<Date>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    courses (id) {
        id -> Text,
        organization_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        language -> Text,
        level -> Text,
        audience -> Text,
        desk_id -> Nullable<Text>,
        place -> Nullable<Text>,
        municipality -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Date,
        capacity -> Integer,
        status -> Text,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_sessions (id) {
        id -> Text,
        course_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        place -> Nullable<Text>,
        topic -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        course_id -> Text,
        case_id -> Text,
        family_member_id -> Nullable<Text>,
        person_id -> Text,
        status -> Text,
        enrolled_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        status_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_attendance (session_id, enrolment_id) {
        session_id -> Text,
        enrolment_id -> Text,
        course_id -> Text,
        status -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(assessment_domains -> assessments (assessment_id));
diesel::joinable!(plans -> cases (case_id));
diesel::joinable!(plan_goals -> plans (plan_id));
diesel::joinable!(plan_actions -> plans (plan_id));
diesel::joinable!(course_sessions -> courses (course_id));
diesel::joinable!(enrolments -> courses (course_id));
diesel::joinable!(course_attendance -> enrolments (enrolment_id));

diesel::table! {
    documents (id) {
        id -> Text,
        case_id -> Text,
        family_member_id -> Nullable<Text>,
        organization_id -> Text,
        kind -> Text,
        file_name -> Text,
        format -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage -> Text,
        issued_by -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        uploaded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    document_contents (document_id) {
        document_id -> Text,
        content -> Binary,
    }
}

diesel::joinable!(documents -> cases (case_id));
diesel::joinable!(document_contents -> documents (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    desks,
    desk_opening_hours,
    users,
    refresh_tokens,
    reference_counters,
    cases,
    family_members,
    interventions,
    audit_events,
    idempotency_keys,
    providers,
    provider_services,
    service_locations,
    location_schedules,
    protocols,
    protocol_parties,
    consents,
    referrals,
    referral_events,
    transfers,
    case_access_grants,
    professionals,
    activations,
    activation_events,
    family_assistants,
    care_requests,
    care_placements,
    integration_clients,
    change_counter,
    changes,
    webhook_subscriptions,
    webhook_deliveries,
    desk_contacts,
    desk_closures,
    appointments,
    assessments,
    assessment_domains,
    plans,
    plan_goals,
    plan_actions,
    documents,
    document_contents,
    courses,
    course_sessions,
    enrolments,
    course_attendance,
);
