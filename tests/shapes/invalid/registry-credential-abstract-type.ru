# rule: ceterms:Credential is not a publishable type (a specific subclass is)
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-67274374-9e73-47ad-9c9d-543d8fd1cc41 ; - ; rdf:type ; sh:InConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
INSERT DATA {
    res:ce-67274374-9e73-47ad-9c9d-543d8fd1cc41 a ceterms:Credential ;
        ceterms:ctid "ce-67274374-9e73-47ad-9c9d-543d8fd1cc41" ;
        ceterms:name "Widget Credential"@en-US ;
        ceterms:description "A credential typed with the abstract class only."@en-US .
}
