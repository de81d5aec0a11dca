# rule: a competency framework needs a publisher
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-e69ba978-c6ca-4ba4-86a3-d5ebd2ef2cb1 ; - ; ceasn:publisher ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-e69ba978-c6ca-4ba4-86a3-d5ebd2ef2cb1 ceasn:publisher ?d }
