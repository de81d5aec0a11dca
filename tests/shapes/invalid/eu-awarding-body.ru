# rule: awarding body
# base: microcredential.ttl
# profile: eu-microcredential
# expect: Violation ; ce-5930553b-3a23-4393-a208-dd3629b4556f ; - ; ceterms:ownedBy | ceterms:offeredBy ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-5930553b-3a23-4393-a208-dd3629b4556f ceterms:ownedBy ?d }
