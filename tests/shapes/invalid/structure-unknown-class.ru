# rule: a class is a CTDL term
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ; - ; rdf:type ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
INSERT DATA { res:ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 a ceterms:CredentialOrganisation }
