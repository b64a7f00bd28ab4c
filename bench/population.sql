-- The benchmark's synthetic population, built set-wise. {N_CASES} is replaced by bench/run.py.
-- 100 agencies (each with its group), 20 panels of five agencies, 2,000 practitioners,
-- {N_CASES} families/index persons/cases (30 % on a panel, 20 % closed), 20,000 group grants
-- spread over the cases, and five named users whose queries are timed.

INSERT INTO auth_group (name)
SELECT 'agency:Agency ' || i FROM generate_series(1, 100) AS i;

INSERT INTO agencies_agency (name, sector, partner_kind, group_id, created_at, updated_at)
SELECT 'Agency ' || i,
       (ARRAY['police','social_care','mental_health','education','ngo'])[1 + i % 5],
       'core', g.id, now(), now()
FROM generate_series(1, 100) AS i
JOIN auth_group g ON g.name = 'agency:Agency ' || i;

INSERT INTO agencies_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                           is_active, date_joined, language, gender, spoken_languages, reminder_delivery,
                           name_shown_to_others, sign_in_generation)
SELECT '!', false, 'bench.user' || i, 'User', i::text, '', false, true, now(), '',
       (ARRAY['female','male'])[1 + i % 2], 'Albanian', 'immediate', 'full_name', 0
FROM generate_series(1, 2000) AS i
UNION ALL
SELECT '!', false, name, name, '', '', false, true, now(), '', '', '', 'immediate', 'full_name', 0
FROM unnest(ARRAY['bench.practitioner','bench.police','bench.supervisor','bench.coordinator','bench.nobody']) AS name;

-- bench.userN works for agency ((N - 1) % 100) + 1.
INSERT INTO agencies_membership (user_id, agency_id, role, created_at)
SELECT u.id, a.id, 'practitioner', now()
FROM generate_series(1, 2000) AS i
JOIN agencies_user u ON u.username = 'bench.user' || i
JOIN agencies_agency a ON a.name = 'Agency ' || (((i - 1) % 100) + 1);

INSERT INTO agencies_membership (user_id, agency_id, role, created_at)
SELECT u.id, a.id, m.role, now()
FROM (VALUES
    ('bench.practitioner', 'Agency 1', 'practitioner'),
    ('bench.police', 'Agency 2', 'police_liaison'),
    ('bench.police', 'Agency 2', 'panel_member'),
    ('bench.coordinator', 'Agency 3', 'coordinator')
) AS m(username, agency, role)
JOIN agencies_user u ON u.username = m.username
JOIN agencies_agency a ON a.name = m.agency;

INSERT INTO agencies_membership (user_id, agency_id, role, created_at)
SELECT u.id, a.id, 'supervisor', now()
FROM agencies_user u, generate_series(1, 10) AS i
JOIN agencies_agency a ON a.name = 'Agency ' || i
WHERE u.username = 'bench.supervisor';

-- Group membership mirrors memberships (what agencies.signals keeps in step), for guardian's own query.
INSERT INTO agencies_user_groups (user_id, group_id)
SELECT DISTINCT m.user_id, a.group_id
FROM agencies_membership m JOIN agencies_agency a ON a.id = m.agency_id;

-- And the role groups (agencies.roles; made by migrate), which hold the permissions that gate pages.
INSERT INTO agencies_user_groups (user_id, group_id)
SELECT DISTINCT m.user_id, g.id
FROM agencies_membership m JOIN auth_group g ON g.name = 'role:' || m.role
ON CONFLICT DO NOTHING;

-- Panel p holds agencies 5p-4 .. 5p; bench.coordinator coordinates every panel.
INSERT INTO agencies_panel (name, coordinator_id, chair_id, cadence_days, record_mode, created_at, updated_at)
SELECT 'Panel ' || p, u.id, NULL, 14, 'decisions_only', now(), now()
FROM generate_series(1, 20) AS p, agencies_user u
WHERE u.username = 'bench.coordinator';

INSERT INTO agencies_panel_agencies (panel_id, agency_id)
SELECT p.id, a.id
FROM generate_series(1, 100) AS i
JOIN agencies_panel p ON p.name = 'Panel ' || (((i - 1) / 5) + 1)
JOIN agencies_agency a ON a.name = 'Agency ' || i;

CREATE TEMP TABLE bench_owner AS
SELECT a.id AS agency_id, k, u.id AS user_id
FROM generate_series(1, 100) AS i
JOIN agencies_agency a ON a.name = 'Agency ' || i
CROSS JOIN generate_series(0, 19) AS k
JOIN agencies_user u ON u.username = 'bench.user' || (i + 100 * k);

CREATE TEMP TABLE bench_agency AS
SELECT i AS n, a.id AS agency_id, p.id AS panel_id
FROM generate_series(1, 100) AS i
JOIN agencies_agency a ON a.name = 'Agency ' || i
JOIN agencies_panel p ON p.name = 'Panel ' || (((i - 1) / 5) + 1);

-- Family names: eight letters from an alphabet that families.matching.name_key leaves alone but
-- for collapsing doubled letters, so the key can be computed here exactly; ~4,000 three-letter
-- prefixes, as varied as real surnames.
CREATE TEMP TABLE bench_name AS
SELECT g, initcap(translate(substr(md5(g::text), 1, 8), '0123456789abcdef', 'abdefgiklmnoprst')) AS name
FROM generate_series(1, {N_CASES}) AS g;

INSERT INTO families_family (id, name, home_languages, area, created_at, updated_at)
SELECT g, name, '', '', now(), now() FROM bench_name;
SELECT setval(pg_get_serial_sequence('families_family', 'id'), {N_CASES});

INSERT INTO families_person (id, family_id, given_name, family_name, date_of_birth, relationship, languages,
                             given_name_key, family_name_key, created_at, updated_at,
                             other_names, other_name_keys, gender, lives_in_household, contact_agreed, phone,
                             address, school_or_work, civil_documents, whereabouts, end_reason)
SELECT g, g, 'Person', name, DATE '2000-01-01' + (g % 7000), 'index', '',
       'person', regexp_replace(lower(name), '(.)\1+', '\1', 'g'), now(), now(),
       '', '', '', true, false, '', '', '', '[]'::jsonb, '', ''
FROM bench_name;
SELECT setval(pg_get_serial_sequence('families_person', 'id'), {N_CASES});

INSERT INTO cases_case (id, reference, family_id, index_person_id, stage, owning_agency_id, owner_id, panel_id,
                        risk_level, urgency, next_step, next_review_on, opened_at, closed_at, created_at, updated_at,
                        key_worker_note, index_given_name_key, index_family_name_key, index_other_name_keys)
SELECT g, 'B-' || g, g, g, 1 + g % 10, ba.agency_id, bo.user_id,
       CASE WHEN (g / 7) % 10 < 3 THEN ba.panel_id END,
       (ARRAY['not_assessed','low','moderate','high','critical'])[1 + g % 5], 'routine',
       '', CURRENT_DATE + (g % 90) - 30,
       now() - (g % 20000) * interval '1 hour',
       CASE WHEN (g / 100) % 5 = 0 THEN now() - (g % 1000) * interval '1 minute' END,
       now(), now(), '', 'person', regexp_replace(lower(bn.name), '(.)\1+', '\1', 'g'), ''
FROM generate_series(1, {N_CASES}) AS g
JOIN (SELECT g AS n, name FROM bench_name) bn ON bn.n = g
JOIN bench_agency ba ON ba.n = 1 + g % 100
JOIN bench_owner bo ON bo.agency_id = ba.agency_id AND bo.k = (g / 100) % 20;
SELECT setval(pg_get_serial_sequence('cases_case', 'id'), {N_CASES});

-- 20,000 grants across the population, plus 200 cases shared in full with Agency 2 (the police),
-- drawn here and stored as shares below (no guardian row mirrors a share: decision 96).
CREATE TEMP TABLE bench_group_grant (
    permission_id integer, group_id integer, content_object_id bigint,
    UNIQUE (permission_id, group_id, content_object_id)
);
INSERT INTO bench_group_grant (permission_id, group_id, content_object_id)
SELECT DISTINCT ON (g.id, p.id, (i * 47) % {N_CASES} + 1) p.id, g.id, (i * 47) % {N_CASES} + 1
FROM generate_series(1, 20000) AS i
JOIN agencies_agency a ON a.name = 'Agency ' || (1 + (i * 7) % 100)
JOIN auth_group g ON g.id = a.group_id
JOIN auth_permission p ON p.codename = (CASE WHEN i % 2 = 0 THEN 'view_case' ELSE 'view_case_summary' END)
JOIN django_content_type ct ON ct.id = p.content_type_id AND ct.app_label = 'cases' AND ct.model = 'case'
ON CONFLICT DO NOTHING;

INSERT INTO bench_group_grant (permission_id, group_id, content_object_id)
SELECT p.id, a.group_id, c.id
FROM (SELECT id FROM cases_case WHERE owning_agency_id <> (SELECT id FROM agencies_agency WHERE name = 'Agency 2')
      ORDER BY id LIMIT 200 OFFSET 5000) AS c
CROSS JOIN agencies_agency a
JOIN auth_permission p ON p.codename = 'view_case'
JOIN django_content_type ct ON ct.id = p.content_type_id AND ct.app_label = 'cases' AND ct.model = 'case'
WHERE a.name = 'Agency 2'
ON CONFLICT DO NOTHING;

-- The shares (restrict() reads the share table, which knows end dates).
INSERT INTO cases_caseshare (case_id, agency_id, scope, basis, justification, purpose, consent_given_by,
                             granted_by_id, granted_at, revoke_reason, legal_duty)
SELECT DISTINCT ON (g.content_object_id, a.id) g.content_object_id, a.id,
       CASE WHEN p.codename = 'view_case' THEN 'full' ELSE 'summary' END,
       'legal_duty', 'bench', '', '', (SELECT min(id) FROM agencies_user), now(), '', 'bench'
FROM bench_group_grant g
JOIN agencies_agency a ON a.group_id = g.group_id
JOIN auth_permission p ON p.id = g.permission_id
ORDER BY g.content_object_id, a.id, p.codename;

-- Closures and withdrawals, for the panel's board of endings: every closed case was closed by a
-- decision in the last two years, one open case in fifty was closed once and reopened since, and
-- one in thirty withdrew from its plan.
INSERT INTO interventions_closure (case_id, panel_id, decided_on, reason, recorded_by_id, created_at, reopened_at,
                                   reopened_by_id, reopen_reason, typology, family_feedback)
SELECT id, panel_id, CURRENT_DATE - (id % 730)::int, 'bench', owner_id, now(), NULL, NULL, '', '', ''
FROM cases_case WHERE closed_at IS NOT NULL;
INSERT INTO interventions_closure (case_id, panel_id, decided_on, reason, recorded_by_id, created_at, reopened_at,
                                   reopened_by_id, reopen_reason, typology, family_feedback)
SELECT id, panel_id, CURRENT_DATE - (id % 730)::int - 30, 'bench', owner_id, now(),
       now() - (id % 730) * interval '1 day', owner_id, 'bench', '', ''
FROM cases_case WHERE closed_at IS NULL AND id % 50 = 0;
INSERT INTO interventions_withdrawal (case_id, panel_id, plan_id, withdrawn_on, reason, open_door_message, security_followup,
                                      typology, family_feedback, recorded_by_id, created_at)
SELECT id, panel_id, NULL, CURRENT_DATE - (id % 730)::int, 'bench', 'bench', false, '', '', owner_id, now()
FROM cases_case WHERE closed_at IS NULL AND id % 30 = 0;
