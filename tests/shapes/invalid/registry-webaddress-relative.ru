# rule: a web address is absolute (a relative one is resolved against the file's location)
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:subjectWebpage ; sh:NotConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:subjectWebpage ?d } ;
INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:subjectWebpage <file:///data/widgets.example.org/certification> }
