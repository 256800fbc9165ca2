DROP TABLE desk_contacts;
