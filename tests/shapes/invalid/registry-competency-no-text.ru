# rule: a competency needs its text
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ; - ; ceasn:competencyText ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ceasn:competencyText ?d }
