# rule: an email is an email address
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ; - ; ceterms:email ; sh:PatternConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ceterms:email ?e } ;
INSERT DATA { res:ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ceterms:email "mailto:info" }
