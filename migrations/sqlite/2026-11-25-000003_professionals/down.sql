DROP TABLE care_placements;
DROP TABLE care_requests;
DROP TABLE family_assistants;
DROP TABLE activation_events;
DROP TABLE activations;
DROP TABLE professionals;
