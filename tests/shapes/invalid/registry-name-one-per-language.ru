# rule: a name is given once per language (language maps hold one text per language)
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:name ; sh:UniqueLangConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:name "Widget Press Safety Certification"@en-US }
